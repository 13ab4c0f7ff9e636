import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { keySource } from '../config';
import type { Env } from '../config';

/** AES-256: a key is exactly this many bytes. */
export const keyBytes = 32;

export interface CodecKey {
  id: string;
  key: Buffer;
}

/** The codec's keys: the first encrypts, every one decrypts, so a new key can go first while old payloads live on. */
export class KeyRing {
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(readonly keys: readonly CodecKey[]) {
    if (keys.length === 0) throw new KeyRingError('the key ring is empty: at least one key is needed');
    const byId = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (byId.has(id)) throw new KeyRingError(`key id ${id} appears twice in the key ring`);
      byId.set(id, key);
    }
    this.byId = byId;
  }

  get current(): CodecKey {
    return this.keys[0]!;
  }

  get(id: string): Buffer | undefined {
    return this.byId.get(id);
  }

  get ids(): string[] {
    return this.keys.map((k) => k.id);
  }
}

export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

const keyIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Parses `id:base64key` entries, separated by commas, whitespace or new lines; `#` starts a comment. The same format
 * serves the `CATERING_CODEC_KEYS` variable (containers, secrets managers) and the key file.
 */
export function parseKeyRing(text: string, source: string): KeyRing {
  const entries = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join(' ')
    .split(/[\s,]+/)
    .filter(Boolean);
  if (entries.length === 0) throw new KeyRingError(`${source} holds no keys`);
  const keys = entries.map((entry, i): CodecKey => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    // Never echo the entry itself: it is key material.
    const where = `${source}, key ${i + 1}`;
    if (!keyIdPattern.test(id))
      throw new KeyRingError(
        `${where}: expected <id>:<base64 key> with an id of letters, digits, '.', '_' or '-'`,
      );
    const encoded = entry.slice(colon + 1);
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== keyBytes) {
      throw new KeyRingError(
        `${where} (${id}): the key must be ${keyBytes} bytes in base64 (got ${key.length} bytes)`,
      );
    }
    return { id, key };
  });
  return new KeyRing(keys);
}

/**
 * The key ring every client, worker and the codec server use. Fails at process start, with what to do, when no
 * usable key is configured: a process without a key must never fall back to writing card data in plaintext.
 */
export function loadKeyRing(env?: Env): KeyRing {
  const source = keySource(env);
  if (source.kind === 'env') return parseKeyRing(source.keys, 'CATERING_CODEC_KEYS');
  if (!existsSync(source.path)) {
    throw new KeyRingError(
      `no payload encryption key: ${source.path} does not exist. Create it with \`npm run codec-keys -- create\` ` +
        '(npm start and npm test do this), or set CATERING_CODEC_KEYS / CATERING_CODEC_KEY_FILE',
    );
  }
  return parseKeyRing(readFileSync(source.path, 'utf8'), source.path);
}

export const newKeyEntry = (id: string): string => `${id}:${randomBytes(keyBytes).toString('base64')}`;

/** A fresh key id: the day it was made, and a random suffix so that two keys made the same day never share one. */
export const newKeyId = (): string =>
  `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;

const header =
  '# Payload encryption keys (AES-256-GCM), <id>:<base64 key>, one per line.\n' +
  '# The first encrypts; all decrypt. Rotate with `npm run codec-keys -- rotate`. Keep this file secret.\n';

/** Creates the key file with one fresh key (mode 0600) unless it exists; returns whether it created it. */
export function ensureKeyFile(path: string): boolean {
  if (existsSync(path)) {
    parseKeyRing(readFileSync(path, 'utf8'), path);
    return false;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${header}${newKeyEntry(newKeyId())}\n`, { mode: 0o600, flag: 'wx' });
  return true;
}

/**
 * Puts a new key first: new payloads are encrypted with it, and every older key stays to decrypt what running
 * workflows already hold. Returns the new key's id.
 */
export function rotateKeyFile(path: string): string {
  const ring = parseKeyRing(readFileSync(path, 'utf8'), path);
  const id = newKeyId();
  const lines = [newKeyEntry(id), ...ring.keys.map((k) => `${k.id}:${k.key.toString('base64')}`)];
  writeFileSync(path, `${header}${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return id;
}

/** True when anyone but the owner may read the file. */
export const readableByOthers = (path: string): boolean => (statSync(path).mode & 0o077) !== 0;
