import { EncryptionCodec } from '../infra/codec/encryption-codec';
import { createCodecServer } from '../infra/codec/http-server';
import { loadKeyRing } from '../infra/codec/key-ring';
import { connectionSettings } from '../infra/temporal-connection';
import { codecServerConfig } from '../infra/config';

/**
 * `npm run codec-server`: Temporal's remote codec for the Web UI and `temporal --codec-endpoint`, on
 * 127.0.0.1:8888 by default. CODEC_PORT, CODEC_HOST, CODEC_CORS_ORIGINS (the Web UI's origins), CODEC_AUTH_TOKEN.
 */
async function main(): Promise<void> {
  const keys = loadKeyRing();
  const { host, port, allowedOrigins, authToken, ...config } = codecServerConfig();
  const namespaces = config.namespaces.length > 0 ? config.namespaces : [connectionSettings().namespace];

  const server = createCodecServer({
    codec: new EncryptionCodec(keys),
    allowedOrigins,
    namespaces,
    ...(authToken ? { authToken } : {}),
    log: (line) => console.warn(line),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(
    `codec server on http://${host}:${bound} (keys ${keys.ids.join(', ')}; namespaces ${namespaces.join(', ')}; ` +
      `origins ${allowedOrigins.join(', ')}; ${authToken ? 'bearer token required' : 'no auth token'})`,
  );
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
