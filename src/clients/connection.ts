import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { createDataConverter } from '../infra/codec/data-converter';
import { tracingFromEnv } from '../infra/telemetry';

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

function unreachable(address: string, err: unknown): Error {
  const why = err instanceof Error ? err.message : String(err);
  return new Error(
    `cannot reach Temporal at ${address} (${why.split('\n')[0]}): ` +
      'start the local dev server with `npm run server:start`, or set TEMPORAL_ADDRESS / TEMPORAL_PROFILE',
    { cause: err },
  );
}

/**
 * A client for the configured cluster, encrypting every payload it sends; fails within seconds, with the address,
 * when nothing answers, and before connecting when no encryption key is configured.
 */
export async function connectClient(): Promise<Client> {
  const { address, namespace, config } = connectionSettings();
  const dataConverter = createDataConverter();
  try {
    const connection = await Connection.connect({
      ...config.connectionOptions,
      address,
      connectTimeout: '5 seconds',
    });
    // Traces when OTEL_EXPORTER_OTLP_ENDPOINT is set: the client's calls start the trace each order is one of.
    const tracing = tracingFromEnv('catering-client');
    if (tracing) process.once('beforeExit', () => void tracing.shutdown());
    return new Client({ connection, namespace, dataConverter, plugins: tracing ? [tracing.plugin] : [] });
  } catch (err) {
    throw unreachable(address, err);
  }
}

/** The worker-side connection to the same cluster, with the data converter its workers must use. */
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
