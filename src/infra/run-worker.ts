import { constants } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { connectWorker } from './temporal-connection';
import { workerConfig } from './config';
import type { WorkerTuning } from './config';
import { startWorkerTelemetry } from './telemetry';

/** Past the grace time, how long cancelled tasks get to wind down before the worker gives up and exits 1. */
const forceAfterGraceMs = 5_000;

/** What one cached Order or CateringMatch costs the order worker, rounded up from the soak (docs/benchmark.md). */
export const cachedWorkflowCostKiB = 512;
/** The share of the heap limit the sticky cache may cost; the rest is the client, activities and the SDK. */
export const cacheHeapShare = 0.35;

/**
 * The sticky cache that fits the heap: `cacheHeapShare` of the heap limit (`--max-old-space-size`, or V8's default
 * for the machine) at `cachedWorkflowCostKiB` a workflow. A workflow evicted from the cache costs nothing until its
 * next task, which replays it, so a smaller cache trades CPU for never running out of heap.
 */
export function defaultWorkflowCacheSize(heapLimitBytes = getHeapStatistics().heap_size_limit): number {
  return Math.max(1, Math.floor((heapLimitBytes * cacheHeapShare) / (cachedWorkflowCostKiB * 1024)));
}

/**
 * The worker settings both processes and the benchmark run with (src/infra/config.ts reads them): an unset variable
 * leaves the SDK's default, except the sticky cache, which defaults to what fits the heap. On the 2-core machine of
 * the README's benchmark none of the others moved throughput: the server was the limit.
 */
export function workerTuning(
  tuning: WorkerTuning = workerConfig().tuning,
): Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'workflowTaskPollerBehavior'
  | 'maxConcurrentActivityTaskExecutions'
  | 'activityTaskPollerBehavior'
> {
  const { workflowTaskPollers, activityTaskPollers, ...slots } = tuning;
  return {
    ...slots,
    maxCachedWorkflows: tuning.maxCachedWorkflows ?? defaultWorkflowCacheSize(),
    ...(workflowTaskPollers !== undefined
      ? { workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: workflowTaskPollers } }
      : {}),
    ...(activityTaskPollers !== undefined
      ? { activityTaskPollerBehavior: { type: 'simple-maximum', maximum: activityTaskPollers } }
      : {}),
  };
}

/**
 * Connects to the configured cluster and runs one worker until SIGINT/SIGTERM, closing the connection after.
 * Both processes of this project (the order worker and the validator) are this with different options.
 *
 * The first signal stops polling and lets in-flight tasks finish within WORKER_SHUTDOWN_GRACE, then the process
 * exits 0; a task still running after that is cancelled and retried by the server on another worker. A second
 * signal exits at once.
 */
export async function runWorker(
  options: Omit<WorkerOptions, 'connection' | 'namespace' | 'dataConverter' | 'shutdownGraceTime'>,
  /** Run once the worker polls, beside it; a failure is logged and the worker goes on. */
  whenPolling?: () => Promise<void>,
): Promise<void> {
  const config = workerConfig();
  const grace = config.shutdownGrace;
  const tuning = workerTuning(config.tuning);
  const name = options.taskQueue;
  const telemetry = startWorkerTelemetry(name);
  const { connection, namespace, dataConverter } = await connectWorker();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      // The SDK's own handler (Runtime.shutdownSignals) stops the worker; this only says so and guards the next one.
      console.log(`${name}: ${signal}: polling stopped, draining in-flight tasks for up to ${grace.text}`);
      return;
    }
    console.error(
      `${name}: ${signal} again: exiting now; the server will retry the tasks that were in flight`,
    );
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const worker = await Worker.create({
      ...tuning,
      ...options,
      connection,
      namespace,
      dataConverter,
      plugins: telemetry.plugins,
      shutdownGraceTime: grace.ms,
      shutdownForceTime: grace.ms + forceAfterGraceMs,
    });
    const registersWorkflows = Boolean(options.workflowBundle ?? options.workflowsPath);
    const cache = registersWorkflows
      ? `, sticky cache of ${worker.options.maxCachedWorkflows} workflows (${
          config.tuning.maxCachedWorkflows !== undefined
            ? 'WORKFLOW_CACHE_SIZE'
            : `${cacheHeapShare * 100}% of a ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MiB heap at ${cachedWorkflowCostKiB} KiB each`
        })`
      : '';
    const deployment = options.workerDeploymentOptions?.useWorkerVersioning
      ? `, deployment ${options.workerDeploymentOptions.version.deploymentName} version ${options.workerDeploymentOptions.version.buildId} (${options.workerDeploymentOptions.defaultVersioningBehavior})`
      : registersWorkflows
        ? ', unversioned'
        : '';
    console.log(`${name}: polling in namespace ${namespace}${cache}${deployment}`);
    const running = worker.run();
    if (whenPolling) void whenPolling().catch((err: unknown) => console.error(`${name}: ${String(err)}`));
    await running;
    console.log(`${name}: stopped; every task it had taken finished`);
  } finally {
    await connection.close();
    await telemetry.shutdown();
  }
}
