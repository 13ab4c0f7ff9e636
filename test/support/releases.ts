import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { quietRuntime } from './environments';

/** Release 1's workflow code, frozen as it ran (test/fixtures/release-1/README.md). */
const releaseOneRoot = '../fixtures/release-1';

/** The build id release 1 ran as in the deployment `catering-orders`; release 2 supersedes it. */
export const releaseOneBuildId = 'local';

/** The commit release 1's code is at: its worker runs from a checkout of it. */
export const releaseOneCommit = '78f0c0a';

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
