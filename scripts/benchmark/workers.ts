/**
 * The benchmark's workers, all in its own process and all with the settings `npm run worker` and `npm run validator`
 * run with (`workerTuning`: WORKFLOW_CACHE_SIZE, WORKFLOW_TASK_SLOTS, ... or the SDK's defaults), so that the
 * floor and the order flow are measured with exactly the same worker settings. Ledgers are in memory.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import type { WorkerOptions } from '@temporalio/worker';
import type { FaultInjection } from '../../activities/credit-card-validator';
import { createMatchOfferActivities } from '../../activities/match-offer';
import { workerTuning } from '../../src/infra/run-worker';
import { TaskQueue } from '../../src/contract';
import { createAppWorkers } from '../../test/support/app-workers';
import { failureConverterPath, testDataConverter } from '../../test/support/codec';
import { workflowBundle } from '../../test/support/environments';
import {
  EqualPeerMatch,
  equalPeerMatchId,
  equalPeerMenusOffered,
  equalPeerTaskQueue,
  equalPeerValidatorQueue,
  promisePeerTaskQueue,
  promisePeerValidatorQueue,
} from './equal-peer-workflows';
import type { EqualPeerActivities } from './equal-peer-workflows';
import { floorTaskQueue } from './floor-workflow';
import { peerTaskQueue } from './peer-workflows';
import type { PeerActivities } from './peer-workflows';

/** What every worker of the run gets, and what the table prints: the production tuning, from the environment. */
export function benchmarkTuning(): Partial<WorkerOptions> {
  return workerTuning();
}

function common(env: TestWorkflowEnvironment, codec = true) {
  return {
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    ...(codec ? { dataConverter: testDataConverter() } : {}),
    ...benchmarkTuning(),
  };
}

/**
 * The order worker on `orders` and the real validator on `credit-card-validation`; `faults` is read per request;
 * with `plainClient`, neither encrypts (`--codec off`).
 * Their activities are whatever the tests' in-process app workers register (kept in step with `npm run worker`'s by
 * the tests that use them), taken from a pair of those started and stopped at once, so the benchmark never runs an
 * order flow that lacks an activity the app has.
 */
export async function createBenchmarkAppWorkers(
  env: TestWorkflowEnvironment,
  faults: FaultInjection,
  plainClient?: Client,
): Promise<{ orders: Worker; validator: Worker }> {
  const app = await createAppWorkers(env, faults);
  await app.orders.runUntil(app.validator.runUntil(Promise.resolve()));
  const activitiesOf = (worker: Worker) => Object.fromEntries(worker.options.activities);
  const codec = plainClient === undefined;
  const orders = await Worker.create({
    ...common(env, codec),
    taskQueue: TaskQueue.orders,
    workflowBundle: await workflowBundle(),
    // Without the codec, the hand-over starts the match with what a worker without the codec can read.
    activities: {
      ...activitiesOf(app.orders),
      ...(plainClient ? createMatchOfferActivities(plainClient) : {}),
    },
  });
  const validator = await Worker.create({
    ...common(env, codec),
    taskQueue: TaskQueue.creditCardValidation,
    activities: activitiesOf(app.validator),
  });
  return { orders, validator };
}

/** The floor's worker: its workflow bundled on its own, its no-op activity, the same settings as the app's. */
export async function createFloorWorker(env: TestWorkflowEnvironment): Promise<Worker> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./floor-workflow'),
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  return Worker.create({
    ...common(env),
    taskQueue: floorTaskQueue,
    workflowBundle: bundle,
    activities: { noop: () => Promise.resolve() },
  });
}

/**
 * The peer's worker: its workflows bundled on its own, the default data converter (no codec, as in the samples), the
 * same tuning as the app's.
 */
export async function createPeerWorker(env: TestWorkflowEnvironment): Promise<Worker> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./peer-workflows'),
    logger: new DefaultLogger('WARN'),
  });
  const activities: PeerActivities = {
    validateCard: () => Promise.resolve(true),
    publishConfirmation: () => Promise.resolve(),
  };
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    ...benchmarkTuning(),
    taskQueue: peerTaskQueue,
    workflowBundle: bundle,
    activities,
  });
}

/** Runs `fn` with every worker polling, and stops them all once it settles. */
export function runningAll<T>(workers: Worker[], fn: () => Promise<T>): Promise<T> {
  return workers.reduceRight<() => Promise<T>>((inner, worker) => () => worker.runUntil(inner), fn)();
}

/**
 * The feature-equal peer's workers: its workflows and a validator on a queue of its own, each pair once with the
 * project's codec (the equal peer, and encryption alone) and once without (the plain peer with one other promise).
 */
export async function createEqualPeerWorkers(env: TestWorkflowEnvironment): Promise<Worker[]> {
  const bundle = (codec: boolean) =>
    bundleWorkflowCode({
      workflowsPath: require.resolve('./equal-peer-workflows'),
      ...(codec ? { failureConverterPath } : {}),
      logger: new DefaultLogger('WARN'),
    });
  const validateCard = () => Promise.resolve(true);
  const pair = async (codec: boolean, taskQueue: string, validatorQueue: string) => {
    const options = {
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      ...(codec ? { dataConverter: testDataConverter() } : {}),
      ...benchmarkTuning(),
    };
    // The hand-over's client: the codec's when the workers have it, as the order worker's activity uses the app's.
    const client = codec
      ? env.client
      : new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    const activities: EqualPeerActivities = {
      validateCard,
      publishConfirmation: () => Promise.resolve(),
      offerMenus: async (orderId, menuId, matchQueue, promises) => {
        await client.workflow.signalWithStart(EqualPeerMatch, {
          taskQueue: matchQueue,
          workflowId: equalPeerMatchId(orderId),
          args: [orderId, promises],
          signal: equalPeerMenusOffered,
          signalArgs: [{ menuId }],
        });
      },
    };
    return [
      await Worker.create({ ...options, taskQueue, workflowBundle: await bundle(codec), activities }),
      await Worker.create({ ...options, taskQueue: validatorQueue, activities: { validateCard } }),
    ];
  };
  return [
    ...(await pair(true, equalPeerTaskQueue, equalPeerValidatorQueue)),
    ...(await pair(false, promisePeerTaskQueue, promisePeerValidatorQueue)),
  ];
}
