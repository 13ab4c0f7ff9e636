import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { supersededReleases } from '../../src/infra/config';
import { orderWorkflowId, TaskQueue, WorkflowType } from '../fixtures/release-1/src/contract';
import type { OrderSubmitted as ReleaseOneOrder } from '../fixtures/release-1/src/contract';
import { quietRuntime } from './environments';

export type { ReleaseOneOrder };

/** Release 1's workflow code, frozen as it ran (test/fixtures/release-1/README.md). */
const releaseOneRoot = '../fixtures/release-1';

/** Release 1 as this code knows it: the build id it ran as (`local`) and its commit. */
export const releaseOne = supersededReleases.find((r) => r.name === 'release 1')!;

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/**
 * One webpack bundle of release 1 per test file, with its own failure converter and preloaded modules, so that
 * nothing of release 2 is in it.
 */
export function releaseOneBundle(): Promise<WorkflowBundleWithSourceMap> {
  quietRuntime();
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve(`${releaseOneRoot}/workflows`),
    failureConverterPath: require.resolve(`${releaseOneRoot}/workflows/failure-converter`),
    preloadModules: [
      require.resolve(`${releaseOneRoot}/src/contract/messages`),
      require.resolve(`${releaseOneRoot}/src/contract/order-input`),
    ],
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/**
 * Starts an order as release 1's clients did, with release 1's input (its `retainFor` included, which release 2's
 * clients no longer send): release 2's clients would drop what release 1 reads.
 */
export async function startReleaseOneOrder(client: Client, input: ReleaseOneOrder): Promise<void> {
  await client.workflow.start(WorkflowType.order, {
    workflowId: orderWorkflowId(input.orderId),
    taskQueue: TaskQueue.orders,
    args: [input],
  });
}
