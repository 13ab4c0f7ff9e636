import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { createDataConverter } from './codec/data-converter';

/**
 * Connection settings the way Temporal's own tools read them: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_*, or a profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE). With nothing set,
 * the local dev server on localhost:7233, namespace `default`.
 */
export function connectionSettings(): {
  address: string;
  namespace: string;
  config: ReturnType<typeof loadClientConnectConfig>;
} {
  const config = loadClientConnectConfig();
  return {
    address: config.connectionOptions.address ?? 'localhost:7233',
    namespace: config.namespace ?? 'default',
    config,
  };
}

/** What a client or worker reports when nothing answers at the configured address, and how to fix it. */
export function unreachable(address: string, err: unknown): Error {
  const why = err instanceof Error ? err.message : String(err);
  return new Error(
    `cannot reach Temporal at ${address} (${why.split('\n')[0]}): ` +
      'start the local dev server with `npm run server:start`, or set TEMPORAL_ADDRESS / TEMPORAL_PROFILE',
    { cause: err },
  );
}

/** The worker-side connection to the configured cluster, with the data converter its workers must use. */
export async function connectWorker(): Promise<{
  connection: NativeConnection;
  namespace: string;
  dataConverter: DataConverter;
}> {
  const { address, namespace, config } = connectionSettings();
  const dataConverter = createDataConverter();
  try {
    const connection = await NativeConnection.connect({ ...config.connectionOptions, address });
    return { connection, namespace, dataConverter };
  } catch (err) {
    throw unreachable(address, err);
  }
}
