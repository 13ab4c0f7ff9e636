import { trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { Runtime } from '@temporalio/worker';
import { latencyBucketsMs, latencyHistograms } from '../contract/metric-names';

type Env = Record<string, string | undefined>;

/** Default Prometheus ports: one per process kind, so both run side by side on one machine without settings. */
export const defaultMetricsPort = { orders: 9464, 'credit-card-validation': 9465 } as const;
export type ProcessKind = keyof typeof defaultMetricsPort;

/**
 * METRICS_HOST (default 127.0.0.1; 0.0.0.0 in a container) and METRICS_PORT (default by process kind; `off` for
 * none). Nonsense stops the process at start.
 */
export function metricsAddressFromEnv(env: Env, kind: ProcessKind): string | undefined {
  const raw = env.METRICS_PORT?.trim() || String(defaultMetricsPort[kind]);
  if (raw.toLowerCase() === 'off') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new Error(`METRICS_PORT=${raw} is not valid: expected a port from 1 to 65535, or off`);
  const host = env.METRICS_HOST?.trim() || '127.0.0.1';
  return `${host}:${port}`;
}

/**
 * Installs the SDK runtime with a Prometheus endpoint at `address`: the SDK's own metrics (task latencies, sticky
 * cache, slots) and the app's (src/contract/metric-names.ts) on `/metrics`. Once per process, before any connection.
 */
export function installMetricsRuntime(address: string): void {
  try {
    Runtime.install({
      telemetryOptions: {
        metrics: {
          prometheus: {
            bindAddress: address,
            histogramBucketOverrides: Object.fromEntries(
              latencyHistograms.map((name) => [name, latencyBucketsMs]),
            ),
          },
        },
      },
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot serve metrics on ${address} (${why}): set METRICS_PORT to a free port, or off`, {
      cause: err,
    });
  }
}

/** What the traces of one process need: the plugin for its client or worker, and a flush at exit. */
export interface Tracing {
  plugin: OpenTelemetryPlugin;
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing through the SDK's interceptors, registered as this process's global tracer provider:
 * the client's calls, workflow runs (their spans leave the sandbox through a sink), activities and signals carry
 * one trace across processes in the Temporal headers. `spanProcessor` is the OTLP exporter by default (the
 * standard OTEL_EXPORTER_OTLP_* variables say where); a test passes an in-memory one.
 */
export function startTracing(serviceName: string, spanProcessor?: SpanProcessor): Tracing {
  const resource = new Resource({ [ATTR_SERVICE_NAME]: serviceName });
  const processor = spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  return {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor: processor }),
    tracer: trace.getTracer('catering-orders'),
    shutdown: () => provider.shutdown(),
  };
}

/** Tracing when OTEL_EXPORTER_OTLP_ENDPOINT (or its traces variant) is set; none, and no cost, otherwise. */
export function tracingFromEnv(serviceName: string, env: Env = process.env): Tracing | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return undefined;
  return startTracing(env.OTEL_SERVICE_NAME?.trim() || serviceName);
}

/** The modules a workflow bundle needs for workflow spans (bundleWorkflowCode's workflowInterceptorModules). */
export const tracingWorkflowModules = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/**
 * Telemetry of a worker process, set up before it connects: the Prometheus endpoint (printed) and, when an OTLP
 * endpoint is configured, traces. `plugins` go into Worker.create; `shutdown` flushes spans at exit.
 */
export function startWorkerTelemetry(
  taskQueue: string,
  env: Env = process.env,
): { plugins: OpenTelemetryPlugin[]; shutdown(): Promise<void> } {
  const kind: ProcessKind = taskQueue === 'credit-card-validation' ? 'credit-card-validation' : 'orders';
  const address = metricsAddressFromEnv(env, kind);
  if (address) {
    installMetricsRuntime(address);
    console.log(`${taskQueue}: Prometheus metrics on http://${address}/metrics`);
  } else console.log(`${taskQueue}: metrics off (METRICS_PORT=off)`);
  const tracing = tracingFromEnv(kind === 'orders' ? 'order-worker' : 'credit-card-validator', env);
  if (tracing) console.log(`${taskQueue}: traces exported over OTLP`);
  return { plugins: tracing ? [tracing.plugin] : [], shutdown: async () => tracing?.shutdown() };
}
