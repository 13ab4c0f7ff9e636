import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { agreeOnMenu } from './agree-on-menu';
import { getOrderState } from '../../src/clients/order-client';
import { placeOrder } from '../../src/clients/place-order';
import { cateringMatchWorkflowId, orderWorkflowId } from '../../src/contract';
import { countByVersion, formatVersionCounts } from '../../src/clients/operator-view';
import { defaultBuildId } from '../../src/infra/config';
import {
  bootstrapCurrentVersion,
  orderWorkerDeployment,
  reportPinnedElsewhere,
} from '../../src/infra/worker-deployment';
import { createValidatorWorker, orderWorkerActivities } from './app-workers';
import { eventually } from './eventually';
import { createTestWorker, uniqueId, workflowBundle } from './environments';
import {
  failedTasks as failedTasksOf,
  releaseOne,
  releaseOneBundle,
  startReleaseOneOrder,
  versionOf as releaseVersionOf,
} from './releases';

/**
 * Release 1 (test/fixtures/release-1, version `local`) and release 2 (workflows/, version `release-2`) side by side on
 * a real server. Release 1 runs orders; release 2 is deployed beside it and made current by its worker's bootstrap, as
 * `npm start` would. New orders run release 2; release 1's orders and matches, pinned, finish on release 1's worker
 * with no failed workflow task; and a rollback (release 2 made current by mistake, release 1 restored) loses nothing.
 */
export function describeVersionRollout(
  server: string,
  setUp: () => Promise<{ env: TestWorkflowEnvironment; tearDown: () => Promise<void> }>,
): void {
  describe(`release 1 and release 2 side by side on ${server}`, () => {
    const deploymentName = uniqueId('catering-orders');
    const one = releaseOne.buildId;
    const two = defaultBuildId;
    let env: TestWorkflowEnvironment;
    let client: Client;
    const workers: Worker[] = [];
    const stopped: Promise<void>[] = [];
    const card = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };
    const menus = [{ menuId: 'A', catererId: 'caterer-anna' }];

    /** An order worker of `buildId`, pinned, on this test's deployment, running until the suite ends. */
    async function startOrderWorker(buildId: string, bundle: WorkflowBundleWithSourceMap): Promise<void> {
      const worker = await createTestWorker(env, {
        workflowBundle: bundle,
        activities: orderWorkerActivities(env),
        workerDeploymentOptions: orderWorkerDeployment({ deploymentName, buildId }),
      });
      workers.push(worker);
      stopped.push(worker.run());
    }

    const setCurrent = (buildId: string) =>
      client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: 'default',
        deploymentName,
        buildId,
        ignoreMissingTaskQueues: true,
      });

    const versionOf = (workflowId: string) => releaseVersionOf(client, workflowId);
    const failedTasks = (workflowId: string) => failedTasksOf(client, workflowId);

    /**
     * Places an order on the current version (release 1's orders as release 1's clients did) and waits until it is
     * Validated and its match, started by its hand-over, runs on `version`.
     */
    const place = async (orderId: string, version: string) => {
      const order = { orderId, customerId: 'c-ver', amount: 80, currency: 'EUR' as const, card, menus };
      // No retention for release 1's orders: a finished order closes at once, so a drained version holds nothing.
      if (version === one) await startReleaseOneOrder(client, { ...order, retainFor: '0 seconds' });
      else await placeOrder(client, order);
      await eventually(
        `order ${orderId} validated`,
        () => getOrderState(client, orderId),
        (s) => s.status === 'Validated',
      );
      for (const workflowId of [orderWorkflowId(orderId), cateringMatchWorkflowId(orderId)])
        await eventually(
          `${workflowId} runs on ${version}`,
          () => versionOf(workflowId),
          (v) => v === version,
        );
    };

    const confirm = async (orderId: string) => {
      await agreeOnMenu(client, orderId);
      return eventually(
        `order ${orderId} confirmed`,
        () => getOrderState(client, orderId),
        (s) => s.status === 'Confirmed',
      );
    };

    /** Each order and its match ran every task on `version`, none failed, and the order is closed. */
    const finishedOn = async (orderId: string, version: string) => {
      for (const workflowId of [orderWorkflowId(orderId), cateringMatchWorkflowId(orderId)]) {
        await client.workflow.getHandle(workflowId).result();
        expect({
          workflowId,
          version: await versionOf(workflowId),
          failed: await failedTasks(workflowId),
        }).toEqual({ workflowId, version, failed: 0 });
      }
    };

    let tearDown: () => Promise<void> = () => Promise.resolve();

    beforeAll(async () => {
      ({ env, tearDown } = await setUp());
      client = env.client;
      const validator = await createValidatorWorker(env);
      workers.push(validator);
      stopped.push(validator.run());
      await startOrderWorker(one, await releaseOneBundle());
      const said: string[] = [];
      await bootstrapCurrentVersion(client, { deploymentName, buildId: one }, (line) => said.push(line));
      expect(said).toEqual([
        `version ${one} made current: the first version of deployment ${deploymentName}`,
      ]);
    });

    afterAll(async () => {
      for (const worker of workers) worker.shutdown();
      await Promise.all(stopped);
      await tearDown();
    });

    test('when a version runs workflows, then the operator view counts them by version', async () => {
      const counted = uniqueId('counted');
      await place(counted, one);
      const counts = await eventually(
        `the running order and its match counted on ${one}`,
        () => countByVersion(client, deploymentName),
        (c) => (c.versions.find((v) => v.buildId === one)?.running ?? 0) >= 2,
      );
      expect(counts.current).toBe(one);
      await confirm(counted);
      await finishedOn(counted, one);
    });

    test('when release 2 starts beside release 1, then it makes itself current, new orders run it, and release 1’s orders and matches finish on release 1 without a failed task', async () => {
      const onOne = uniqueId('on-release-1');
      await place(onOne, one);

      await startOrderWorker(two, await workflowBundle());
      // A second order while release 2 only stands by: still release 1's.
      const stillOne = uniqueId('still-release-1');
      await place(stillOne, one);

      const said: string[] = [];
      await bootstrapCurrentVersion(client, { deploymentName, buildId: two }, (line) => said.push(line));
      expect(said).toEqual([
        `version ${two} made current in place of version ${one} (release 1, which this code supersedes) of ` +
          `deployment ${deploymentName}: new workflows run ${two}; those pinned to ${one} stay on it`,
      ]);
      // What release 2's worker says at start about them.
      const reported: string[] = [];
      await reportPinnedElsewhere(client, deploymentName, { deploymentName, buildId: two }, (line) =>
        reported.push(line),
      );
      expect(reported).toEqual([
        expect.stringMatching(
          new RegExp(
            `^4 open workflows are pinned to version ${one} \\(release 1\\) of deployment ${deploymentName}, ` +
              `which this worker \\(version ${two}\\) does not run: they wait for release 1's code\\. .*` +
              `git worktree add \\.\\./catering-release-1 ${releaseOne.commit} .*WORKER_BUILD_ID=${one} npm run worker`,
          ),
        ),
      ]);

      const onTwo = uniqueId('on-release-2');
      await place(onTwo, two);

      for (const [orderId, version] of [
        [onOne, one],
        [stillOne, one],
        [onTwo, two],
      ] as const) {
        await confirm(orderId);
        await finishedOn(orderId, version);
      }

      // Release 1 has drained: what the operator reads before retiring it (`npm run cli -- versions`).
      const counts = await eventually(
        'the versions as visibility counts them',
        () => countByVersion(client, deploymentName),
        (c) => c.versions.every((v) => v.running === 0) && c.versions.length === 2,
      );
      expect({ current: counts.current, builds: counts.versions.map((v) => v.buildId).sort() }).toEqual({
        current: two,
        builds: [one, two].sort(),
      });
      expect(formatVersionCounts(counts)).toMatch(new RegExp(`^${two}\\s+\\S+\\s+current\\s+0$`, 'm'));
    });

    test('when release 2 was made current by mistake and release 1 is restored, then new orders run release 1 again and release 2’s orders finish on release 2', async () => {
      await setCurrent(two);
      const byMistake = uniqueId('by-mistake');
      await place(byMistake, two);
      await setCurrent(one);
      const restored = uniqueId('restored');
      await place(restored, one);

      for (const [orderId, version] of [
        [byMistake, two],
        [restored, one],
      ] as const) {
        await confirm(orderId);
        await finishedOn(orderId, version);
      }
    });
  });
}
