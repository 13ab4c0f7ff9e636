import type { AddressInfo } from 'node:net';
import { EncryptionCodec } from '../../src/infra/codec/encryption-codec';
import { createCodecServer } from '../../src/infra/codec/http-server';
import type { CodecServerOptions } from '../../src/infra/codec/http-server';
import { testKeyRing } from './codec';

/** The codec server over the test key ring on a free loopback port, as `npm run codec-server` runs it. */
export async function startCodecServer(
  options: Partial<Omit<CodecServerOptions, 'codec'>> = {},
): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = createCodecServer({
    codec: new EncryptionCodec(testKeyRing()),
    allowedOrigins: [],
    namespaces: ['default'],
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
