import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EncryptionCodec, isEncrypted, PayloadDecryptionError } from '../src/infra/codec/encryption-codec';
import {
  ensureKeyFile,
  KeyRing,
  KeyRingError,
  loadKeyRing,
  newKeyEntry,
  parseKeyRing,
  rotateKeyFile,
} from '../src/infra/codec/key-ring';
import { maskCardNumbers } from '../src/infra/codec/mask-card-numbers';

const order = {
  orderId: 'o-1',
  customerId: 'c-7',
  card: { number: '4242 4242 4242 4242', expiry: '12/39', holder: 'Ada Lovelace' },
};
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const ring = (...ids: string[]) => parseKeyRing(ids.map(newKeyEntry).join('\n'), 'test');
const text = (payload: Payload): string =>
  Buffer.concat([
    ...Object.values(payload.metadata ?? {}).map((v) => Buffer.from(v)),
    Buffer.from(payload.data ?? new Uint8Array()),
  ]).toString('latin1');

describe('EncryptionCodec', () => {
  test('when a payload is encoded, then it round-trips and nothing of the plaintext is left in it', async () => {
    const codec = new EncryptionCodec(ring('k1'));
    const [encoded] = await codec.encode([toPayload(order)]);
    expect(isEncrypted(encoded!)).toBe(true);
    expect(Buffer.from(encoded!.metadata!['encryption-key-id']!).toString()).toBe('k1');
    for (const secret of ['4242', 'Ada', '12/39', 'json/plain', 'o-1'])
      expect(text(encoded!)).not.toContain(secret);
    const [decoded] = await codec.decode([encoded!]);
    expect(fromPayload(decoded!)).toEqual(order);
  });

  test('when the same payload is encoded twice, then the ciphertexts differ (a fresh IV each time)', async () => {
    const codec = new EncryptionCodec(ring('k1'));
    const [a, b] = await codec.encode([toPayload(order), toPayload(order)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  test('when a key is rotated, then new payloads use the new key and old ones still decrypt', async () => {
    const before = ring('old');
    const [old] = await new EncryptionCodec(before).encode([toPayload(order)]);
    const after = new KeyRing([...ring('new').keys, ...before.keys]);
    const rotated = new EncryptionCodec(after);
    expect(fromPayload((await rotated.decode([old!]))[0]!)).toEqual(order);
    const [fresh] = await rotated.encode([toPayload(order)]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('new');
  });

  test('when a payload was written before encryption was switched on, then it decodes as it is', async () => {
    const plain = toPayload(order);
    const [decoded] = await new EncryptionCodec(ring('k1')).decode([plain]);
    expect(decoded).toBe(plain);
  });

  test('when the key is not in the ring, then decoding fails naming the key, not with garbage', async () => {
    const [encoded] = await new EncryptionCodec(ring('gone')).encode([toPayload(order)]);
    await expect(new EncryptionCodec(ring('k1', 'k2')).decode([encoded!])).rejects.toThrow(
      new PayloadDecryptionError(
        "payload encrypted with key gone, which is not in this process's key ring (k1, k2); add the key to CATERING_CODEC_KEYS or the key file",
      ),
    );
  });

  test('when a key id is reused for another key, or the ciphertext is altered, then authentication fails', async () => {
    const [encoded] = await new EncryptionCodec(ring('k1')).encode([toPayload(order)]);
    await expect(new EncryptionCodec(ring('k1')).decode([encoded!])).rejects.toThrow(/failed authentication/);
    const codec = new EncryptionCodec(ring('k1'));
    const [mine] = await codec.encode([toPayload(order)]);
    const data = Buffer.from(mine!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...mine!, data }])).rejects.toThrow(/failed authentication/);
    // Relabelled with another key id of the same ring: the id is authenticated too.
    const two = new KeyRing([{ id: 'k2', key: new EncryptionCodecKeyProbe(codec).key }, ...ring('k3').keys]);
    const relabelled = { ...mine!, metadata: { ...mine!.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await expect(new EncryptionCodec(two).decode([relabelled])).rejects.toThrow(/failed authentication/);
  });
});

/**
 * The wire format of docs/encryption.md, which tools outside this project decode: AES-256-GCM over the serialised
 * Payload protobuf, `data` = a 96-bit IV, the ciphertext, the 16-byte tag; the key id in `encryption-key-id` and
 * authenticated as associated data. Read and written here with node:crypto alone, never through the codec.
 */
describe('the encrypted payload wire format', () => {
  // A fixed test key (bytes 0..31), never used outside this file and the fixture made with it.
  const fixtureKeyId = 'fixture-k1';
  const fixtureKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  const fixtureRing = () => parseKeyRing(`${fixtureKeyId}:${fixtureKey.toString('base64')}`, 'test');
  const utf8 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString();

  /** Decrypts as another tool would, from the documented layout only. */
  const decryptByHand = (payload: Payload, key: Buffer): Payload => {
    const data = Buffer.from(payload.data!);
    const aes = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    aes.setAAD(Buffer.from(utf8(payload.metadata!['encryption-key-id'])));
    aes.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([aes.update(data.subarray(12, data.length - 16)), aes.final()]);
    return temporal.api.common.v1.Payload.decode(plain);
  };

  test("when a payload encrypted by another tool (the committed fixture) is decoded, then today's codec reads the order", async () => {
    // Made once by hand with node:crypto and a hand-written protobuf, in the codec server's JSON form.
    const fixture = JSON.parse(
      readFileSync(join(__dirname, 'fixtures', 'codec', 'encrypted-order.json'), 'utf8'),
    ) as { payloads: { metadata: Record<string, string>; data: string }[] };
    const [wire] = fixture.payloads;
    const payload: Payload = {
      metadata: Object.fromEntries(
        Object.entries(wire!.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
      ),
      data: Buffer.from(wire!.data, 'base64'),
    };
    const [decoded] = await new EncryptionCodec(fixtureRing()).decode([payload]);
    expect(utf8(decoded!.metadata!.encoding)).toBe('json/plain');
    expect(fromPayload(decoded!)).toEqual({
      orderId: 'o-fixture',
      customerId: 'c-fixture',
      amount: 240.5,
      currency: 'EUR',
      card: { number: '4111 1111 1111 1111', expiry: '11/38', holder: 'Grace Hopper' },
    });
  });

  test('when the codec encrypts, then the data is a 12-byte IV, the ciphertext and a 16-byte tag that another tool decrypts', async () => {
    const plain = toPayload(order);
    const [encoded] = await new EncryptionCodec(fixtureRing()).encode([plain]);
    expect(utf8(encoded!.metadata!.encoding)).toBe('binary/encrypted');
    expect(utf8(encoded!.metadata!['encryption-key-id'])).toBe(fixtureKeyId);
    expect(utf8(encoded!.metadata!['encryption-cipher'])).toBe('AES-256-GCM');
    // GCM adds no padding: whatever is not the serialised payload is the IV and the tag.
    const serialised = temporal.api.common.v1.Payload.encode(plain).finish();
    expect(encoded!.data!.length - serialised.length).toBe(12 + 16);
    expect(fromPayload(decryptByHand(encoded!, fixtureKey))).toEqual(order);
  });

  test('when the same payload is encoded twice, then each carries an IV of its own', async () => {
    const codec = new EncryptionCodec(fixtureRing());
    const [a, b] = await codec.encode([toPayload(order), toPayload(order)]);
    const iv = (payload: Payload) => Buffer.from(payload.data!).subarray(0, 12);
    expect(iv(a!).equals(iv(b!))).toBe(false);
    expect(fromPayload(decryptByHand(a!, fixtureKey))).toEqual(order);
    expect(fromPayload(decryptByHand(b!, fixtureKey))).toEqual(order);
  });
});

/** Reads the current key out of a codec's ring for the relabelling case; tests only. */
class EncryptionCodecKeyProbe {
  readonly key: Buffer;
  constructor(codec: EncryptionCodec) {
    this.key = (codec as unknown as { keys: KeyRing }).keys.current.key;
  }
}

describe('key ring', () => {
  const key = Buffer.alloc(32, 7).toString('base64');

  test('when several keys are given, then the first encrypts and all decrypt', () => {
    const keys = parseKeyRing(
      `# comment\nk2:${key}\n k1:${Buffer.alloc(32, 1).toString('base64')} ,`,
      'test',
    );
    expect(keys.current.id).toBe('k2');
    expect(keys.ids).toEqual(['k2', 'k1']);
    expect(keys.get('k1')).toEqual(Buffer.alloc(32, 1));
  });

  test.each([
    ['', 'test holds no keys'],
    [
      `k1:${Buffer.alloc(16).toString('base64')}`,
      'test, key 1 (k1): the key must be 32 bytes in base64 (got 16 bytes)',
    ],
    ['k1:not base64!', 'test, key 1 (k1): the key must be 32 bytes in base64'],
    [key, "test, key 1: expected <id>:<base64 key> with an id of letters, digits, '.', '_' or '-'"],
    [`k1:${key},k1:${key}`, 'key id k1 appears twice in the key ring'],
  ])('when the keys read %j, then the error says %s and never shows key material', (raw, message) => {
    let error: unknown;
    try {
      parseKeyRing(raw, 'test');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KeyRingError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain(key);
  });

  test('when no key is configured, then loading fails with what to do', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'codec-keys');
    expect(() => loadKeyRing({ CATERING_CODEC_KEY_FILE: path })).toThrow(
      `no payload encryption key: ${path} does not exist. Create it with \`npm run codec-keys -- create\``,
    );
  });

  test('when the variable is set, then it wins over the file', () => {
    const keys = loadKeyRing({ CATERING_CODEC_KEYS: `env:${key}`, CATERING_CODEC_KEY_FILE: '/nonexistent' });
    expect(keys.ids).toEqual(['env']);
  });

  test('when the key file is created and rotated, then it is private, the new key goes first and old keys stay', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'nested', 'codec-keys');
    expect(ensureKeyFile(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const [first] = loadKeyRing({ CATERING_CODEC_KEY_FILE: path }).ids;
    expect(ensureKeyFile(path)).toBe(false);
    const second = rotateKeyFile(path);
    expect(loadKeyRing({ CATERING_CODEC_KEY_FILE: path }).ids).toEqual([second, first]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test('when the key file is damaged, then creating it again refuses rather than overwriting it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'codec-keys');
    writeFileSync(path, 'k1:short\n');
    expect(() => ensureKeyFile(path)).toThrow(KeyRingError);
    expect(readFileSync(path, 'utf8')).toBe('k1:short\n');
  });
});

describe('card masking (what a person sees through the codec server)', () => {
  test('when an order is decoded for display, then its card number shows only the last four digits', () => {
    expect(maskCardNumbers(order)).toEqual({ ...order, card: { ...order.card, number: '•••• 4242' } });
  });

  test('when a card object holds a malformed number, then it is masked all the same', () => {
    expect(maskCardNumbers({ card: { number: '4242-xx-1234' } })).toEqual({ card: { number: '•••• 1234' } });
    expect(maskCardNumbers([{ card: { number: 4242424242424242 } }])).toEqual([
      { card: { number: '•••• 4242' } },
    ]);
  });

  test('when free text quotes a card number, then the number is masked and the rest stays', () => {
    expect(maskCardNumbers({ message: 'card 4111-1111-1111-1111 was declined' })).toEqual({
      message: 'card •••• 1111 was declined',
    });
    expect(maskCardNumbers('5105105105105100')).toBe('•••• 5100');
  });

  // Card numbers come in every length from 12 to 19 digits, grouped as their brand prints them.
  test.each([
    [
      'a 15-digit American Express number',
      'refund to 3782 822463 10005 failed',
      'refund to •••• 0005 failed',
    ],
    ['a 15-digit one, ungrouped', 'card 378282246310005 declined', 'card •••• 0005 declined'],
    ['a 13-digit Visa number', 'card 4222222222222 declined', 'card •••• 2222 declined'],
    ['a 12-digit Maestro number', 'card 5018-0000-0009 declined', 'card •••• 0009 declined'],
    ['a 19-digit number', 'card 6011 0009 9013 9424 009 declined', 'card •••• 4009 declined'],
  ])('when free text quotes %s, then it is masked too', (_what, text, masked) => {
    expect(maskCardNumbers({ message: text })).toEqual({ message: masked });
  });

  test('when a long number is no card number (fails Luhn), then it stays readable', () => {
    expect(maskCardNumbers({ orderId: '1764300000001', at: 1764300000001 })).toEqual({
      orderId: '1764300000001',
      at: 1764300000001,
    });
  });
});
