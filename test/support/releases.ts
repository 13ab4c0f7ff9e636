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

/** The build id a workflow's tasks run on, from the server's own record; undefined before it ran a task. */
export async function versionOf(client: Client, workflowId: string): Promise<string | undefined> {
  const { workflowExecutionInfo } = await client.workflowService
    .describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId } })
    .catch(() => ({ workflowExecutionInfo: undefined }));
  return workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId ?? undefined;
}

/** How many workflow tasks of a workflow failed (a nondeterministic replay fails one, again and again). */
export async function failedTasks(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
}
