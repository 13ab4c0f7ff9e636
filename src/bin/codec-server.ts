import { EncryptionCodec } from '../infra/codec/encryption-codec';
import { createCodecServer } from '../infra/codec/http-server';
import { loadKeyRing } from '../infra/codec/key-ring';
import { connectionSettings } from '../clients/connection';

type Env = Record<string, string | undefined>;

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function port(env: Env): number {
  const raw = env.CODEC_PORT?.trim() || '8888';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`CODEC_PORT=${raw} is not a port number (0-65535)`);
  return n;
}

/**
 * `npm run codec-server`: Temporal's remote codec for the Web UI and `temporal --codec-endpoint`, on
 * 127.0.0.1:8888 by default. CODEC_PORT, CODEC_HOST, CODEC_CORS_ORIGINS (the Web UI's origins), CODEC_AUTH_TOKEN.
 */
async function main(): Promise<void> {
  const env = process.env;
  const keys = loadKeyRing(env);
  // The dev server's Web UI and the local cluster's (`npm run cluster:start`), wherever they were moved.
  const uiPorts = [
    env.TEMPORAL_DEV_UI_PORT?.trim() || '8233',
    env.TEMPORAL_CLUSTER_UI_PORT?.trim() || '8333',
  ];
  const allowedOrigins = list(env.CODEC_CORS_ORIGINS);
  if (allowedOrigins.length === 0)
    for (const uiPort of uiPorts)
      allowedOrigins.push(`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`);
  const namespaces = list(env.CODEC_NAMESPACES);
  if (namespaces.length === 0) namespaces.push(connectionSettings().namespace);
  const authToken = env.CODEC_AUTH_TOKEN?.trim() || undefined;
  const host = env.CODEC_HOST?.trim() || '127.0.0.1';

  const server = createCodecServer({
    codec: new EncryptionCodec(keys),
    allowedOrigins,
    namespaces,
    ...(authToken ? { authToken } : {}),
    log: (line) => console.warn(line),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port(env), host, resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port(env);
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
