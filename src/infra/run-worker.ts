import { constants } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import { connectWorker } from '../clients/connection';
import { startWorkerTelemetry } from './telemetry';

type Env = Record<string, string | undefined>;

/** How long a stopping worker waits for in-flight tasks before cancelling them, unless WORKER_SHUTDOWN_GRACE says. */
export const defaultShutdownGrace = '20 seconds';
/** Past the grace time, how long cancelled tasks get to wind down before the worker gives up and exits 1. */
const forceAfterGraceMs = 5_000;

/** WORKER_SHUTDOWN_GRACE ('30s', '2 minutes', milliseconds); nonsense stops the process at start. */
export function shutdownGraceFromEnv(env: Env): { text: string; ms: number } {
  const raw = env.WORKER_SHUTDOWN_GRACE?.trim() || defaultShutdownGrace;
  let ms: number;
  try {
    ms = msToNumber(raw as Duration);
  } catch {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms) || ms < 0)
    throw new Error(`WORKER_SHUTDOWN_GRACE=${raw} is not valid: expected a duration such as '30 seconds'`);
  return { text: raw, ms };
}

/**
 * Memory that one cached workflow costs the order worker, an Order or a CateringMatch, rounded up, as measured: its
 * live heap in the SDK's workflow thread is about 490 KiB (heap after a full collection, 400 workflows all cached),
 * but under the soak's churn (20,000 open workflows passing through the cache, the evicted ones replayed at their
 * next task) the worker's RSS grew by about 1.4 MiB per cached workflow: V8 keeps the garbage of replays until it
 * collects. Before the messages moved to zod/mini a cached Order held about 3 MB of live heap, and the SDK's own
 * default (600 workflows per GiB of heap) cached the worker out of heap at about 1,300 open orders.
 */
export const cachedWorkflowCostKiB = 1536;
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
 * The worker settings both processes and the benchmark run with, from the environment; an unset variable leaves the
 * SDK's default, except the sticky cache. Nonsense stops the process at start.
 *
 * - WORKFLOW_CACHE_SIZE: workflows kept in the sticky cache (`maxCachedWorkflows`; default `defaultWorkflowCacheSize`)
 * - WORKFLOW_TASK_SLOTS: workflow tasks run at once (`maxConcurrentWorkflowTaskExecutions`, default 40)
 * - WORKFLOW_TASK_POLLERS: concurrent workflow task polls (`workflowTaskPollerBehavior`, default 10)
 * - ACTIVITY_TASK_SLOTS: activities run at once (`maxConcurrentActivityTaskExecutions`, default 100)
 * - ACTIVITY_TASK_POLLERS: concurrent activity task polls (`activityTaskPollerBehavior`, default 10)
 *
 * On the 2-core machine of the README's benchmark none of them moved throughput: the server was the limit.
 */
export function workerTuningFromEnv(
  env: Env,
): Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'workflowTaskPollerBehavior'
  | 'maxConcurrentActivityTaskExecutions'
  | 'activityTaskPollerBehavior'
> {
  const count = (name: string, min: number): number | undefined => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${name}=${raw} is not valid: expected a whole number >= ${min}`);
    return n;
  };
  const tuning: ReturnType<typeof workerTuningFromEnv> = {};
  tuning.maxCachedWorkflows = count('WORKFLOW_CACHE_SIZE', 0) ?? defaultWorkflowCacheSize();
  const workflowSlots = count('WORKFLOW_TASK_SLOTS', 2);
  if (workflowSlots !== undefined) tuning.maxConcurrentWorkflowTaskExecutions = workflowSlots;
  const workflowPollers = count('WORKFLOW_TASK_POLLERS', 2);
  if (workflowPollers !== undefined)
    tuning.workflowTaskPollerBehavior = { type: 'simple-maximum', maximum: workflowPollers };
  const activitySlots = count('ACTIVITY_TASK_SLOTS', 1);
  if (activitySlots !== undefined) tuning.maxConcurrentActivityTaskExecutions = activitySlots;
  const activityPollers = count('ACTIVITY_TASK_POLLERS', 1);
  if (activityPollers !== undefined)
    tuning.activityTaskPollerBehavior = { type: 'simple-maximum', maximum: activityPollers };
  return tuning;
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
  const grace = shutdownGraceFromEnv(process.env);
  const tuning = workerTuningFromEnv(process.env);
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
          process.env.WORKFLOW_CACHE_SIZE?.trim()
            ? 'WORKFLOW_CACHE_SIZE'
            : `${cacheHeapShare * 100}% of a ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MiB heap at ${cachedWorkflowCostKiB} KiB each`
        })`
      : '';
    const deployment = options.workerDeploymentOptions?.useWorkerVersioning
      ? `, deployment ${options.workerDeploymentOptions.version.deploymentName} version ${options.workerDeploymentOptions.version.buildId} (${options.workerDeploymentOptions.defaultVersioningBehavior})`
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
