import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../infra/codec/data-converter';
import { tracingFromEnv } from '../infra/telemetry';
import { connectionSettings, unreachable } from '../infra/temporal-connection';

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
