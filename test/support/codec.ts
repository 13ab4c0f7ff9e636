import type { DataConverter } from '@temporalio/common';
import { createDataConverter, failureConverterPath } from '../../src/infra/codec/data-converter';
import { keySource } from '../../src/infra/config';
import { ensureKeyFile, loadKeyRing } from '../../src/infra/codec/key-ring';
import type { KeyRing } from '../../src/infra/codec/key-ring';

let ring: KeyRing | undefined;
/**
 * The key ring the tests encrypt with: the same one the app's processes load (the key file `npm test` creates, or
 * CATERING_CODEC_KEYS), so worker and validator processes started by a test decrypt what the test's client wrote.
 * Created here too when jest runs on its own.
 */
export function testKeyRing(): KeyRing {
  if (ring) return ring;
  const source = keySource();
  if (source.kind === 'file') ensureKeyFile(source.path);
  ring = loadKeyRing();
  return ring;
}

/** The app's data converter over the test key ring: every test client and worker encrypts as production does. */
export const testDataConverter = (): DataConverter => createDataConverter(testKeyRing());

export { failureConverterPath };
