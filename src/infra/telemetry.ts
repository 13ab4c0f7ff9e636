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
import { metricsAddress, tracingConfig } from './config';
import type { Env, ProcessKind } from './config';

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
export function tracingFromEnv(serviceName: string, env?: Env): Tracing | undefined {
  const config = tracingConfig(env);
  if (config === undefined) return undefined;
  return startTracing(config.serviceName ?? serviceName);
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
  env?: Env,
): { plugins: OpenTelemetryPlugin[]; shutdown(): Promise<void> } {
  const kind: ProcessKind = taskQueue === 'credit-card-validation' ? 'credit-card-validation' : 'orders';
  const address = metricsAddress(kind, env);
  if (address) {
    installMetricsRuntime(address);
    console.log(`${taskQueue}: Prometheus metrics on http://${address}/metrics`);
  } else console.log(`${taskQueue}: metrics off (METRICS_PORT=off)`);
  const tracing = tracingFromEnv(kind === 'orders' ? 'order-worker' : 'credit-card-validator', env);
  if (tracing) console.log(`${taskQueue}: traces exported over OTLP`);
  return { plugins: tracing ? [tracing.plugin] : [], shutdown: async () => tracing?.shutdown() };
}
