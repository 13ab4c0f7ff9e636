import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The shortest secret taken from a file: anything shorter is a placeholder, not a secret. */
const minLength = 32;

/**
 * A secret kept in a file of its own, made on first use (32 random bytes, base64url, mode 0600) as the codec keys
 * are, so that a fresh clone needs no setup and nothing secret is ever committed.
 */
export function ensureSecretFile(path: string, what: string): { secret: string; created: boolean } {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    return { secret: readSecret(path, what), created: true };
  }
  return { secret: readSecret(path, what), created: false };
}

function readSecret(path: string, what: string): string {
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < minLength)
    throw new Error(
      `${what} in ${path} is shorter than ${minLength} characters; delete the file to make a new one`,
    );
  return secret;
}
