import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './key-ring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const cipher = 'aes-256-gcm';
const ivBytes = 12;
const tagBytes = 16;

const utf8 = (value: string): Uint8Array => Buffer.from(value, 'utf8');
const text = (value: Uint8Array | null | undefined): string | undefined =>
  value ? Buffer.from(value).toString('utf8') : undefined;

export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/** Whether a payload carries this codec's encryption (as opposed to plaintext written before encryption was on). */
export const isEncrypted = (payload: Payload): boolean =>
  text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;

/**
 * AES-256-GCM over the whole serialised payload (metadata included, so even the encoding of the plaintext is
 * hidden). A fresh 96-bit IV per payload; the key id is authenticated as associated data, so a payload cannot be
 * relabelled with another key's id. Payloads without the encryption metadata decode as they are: workflows started
 * before encryption was switched on still replay and finish.
 */
export class EncryptionCodec implements PayloadCodec {
  // One KeyObject per key: a cipher made from the key's bytes makes the key anew for every payload, at about three
  // times the cost (docs/encryption.md).
  private readonly secrets = new Map<string, KeyObject>();

  constructor(private readonly keys: KeyRing) {}

  private secret(id: string, key: Buffer): KeyObject {
    let secret = this.secrets.get(id);
    if (!secret) this.secrets.set(id, (secret = createSecretKey(key)));
    return secret;
  }

  // The work is synchronous; the executor turns a throw into a rejection, as callers of a codec expect.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.encrypt(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.decrypt(payload))));
  }

  encrypt(payload: Payload): Payload {
    const { id, key } = this.keys.current;
    const iv = randomBytes(ivBytes);
    const aes = createCipheriv(cipher, this.secret(id, key), iv);
    aes.setAAD(utf8(id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, aes.update(plain), aes.final(), aes.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: utf8(id),
        [CIPHER_METADATA]: utf8('AES-256-GCM'),
      },
      data: sealed,
    };
  }

  decrypt(payload: Payload): Payload {
    if (!isEncrypted(payload)) return payload;
    const id = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!id) throw new PayloadDecryptionError('encrypted payload without an encryption-key-id');
    const key = this.keys.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload encrypted with key ${id}, which is not in this process's key ring (${this.keys.ids.join(', ')}); ` +
          'add the key to CATERING_CODEC_KEYS or the key file',
      );
    }
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < ivBytes + tagBytes)
      throw new PayloadDecryptionError(`encrypted payload (key ${id}) is truncated`);
    const aes = createDecipheriv(cipher, this.secret(id, key), sealed.subarray(0, ivBytes));
    aes.setAAD(utf8(id));
    aes.setAuthTag(sealed.subarray(sealed.length - tagBytes));
    let plain: Buffer;
    try {
      plain = Buffer.concat([aes.update(sealed.subarray(ivBytes, sealed.length - tagBytes)), aes.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `payload encrypted with key ${id} failed authentication: it was altered, or the key with that id is not the one it was encrypted with`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}
