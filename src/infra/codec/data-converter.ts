import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { KeyRing } from './key-ring';
import { loadKeyRing } from './key-ring';

/** Bundled into the workflow sandbox as well as loaded by clients and workers: see the module. */
export const failureConverterPath = require.resolve('./failure-converter');

/** The data converter of every client and worker of this project: payloads and failure messages encrypted. */
export function createDataConverter(keys: KeyRing = loadKeyRing()): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath };
}
