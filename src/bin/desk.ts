import { connectClient } from '../clients/connection';
import { buildDesk } from '../desk/app';
import { deskConfig } from '../infra/config';
import { ensureSecretFile } from '../infra/secret-file';

/**
 * `npm run desk`: the shop's API, the participants' links and the pages, on 127.0.0.1:8080 by default
 * (DESK_HOST, DESK_PORT). The operator token and the links' key are made on first run, mode 0600.
 */
async function main(): Promise<void> {
  const config = deskConfig();
  const operatorToken =
    config.token.kind === 'env'
      ? config.token.value
      : ensureSecretFile(config.token.path, 'the desk token').secret;
  const linkKey = ensureSecretFile(config.linkKeyFile, "the desk's link key").secret;
  const client = await connectClient();
  const app = await buildDesk(
    { client, operatorToken, link: { key: linkKey, publicUrl: config.publicUrl } },
    { logger: { level: 'info' } },
  );
  const address = await app.listen({ host: config.host, port: config.port });
  const tokenFrom = config.token.kind === 'env' ? 'DESK_TOKEN' : config.token.path;
  console.log(
    `desk on ${address} (operator token in ${tokenFrom}; API description ${address}/api/openapi.json)`,
  );
  const stop = (): void => {
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
