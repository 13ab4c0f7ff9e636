import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { publishMenuEvent } from '../../src/clients/catering-match-client';
import { cancelOrder, getOrderState } from '../../src/clients/order-client';
import { placeOrder } from '../../src/clients/place-order';
import { cateringMatchWorkflowId, orderWorkflowId } from '../../src/contract';
import { countByVersion, formatVersionCounts } from '../../src/clients/operator-view';
import { bootstrapCurrentVersion } from '../../src/infra/worker-deployment';
import type { OrderState } from '../../src/contract';
import { createValidatorWorker, orderWorkerActivities } from './app-workers';
import { eventually } from './eventually';
import { createTestWorker, uniqueId, workflowBundle, workflowBundleWithShim } from './environments';

/**
 * Worker Versioning on a real server: version A runs orders, version B (a change that would break A's orders on
 * replay: the order no longer hands its menus to its match, shipped without a patch) is deployed beside it and made
 * current. New orders run B; A's orders, pinned, finish on A's worker with no failed workflow task; and a rollback
 * (B made current by mistake, A restored) loses nothing.
 */
export function describeVersionRollout(
  server: string,
  setUp: () => Promise<{ env: TestWorkflowEnvironment; tearDown: () => Promise<void> }>,
): void {
  describe(`worker versioning on ${server}: a new version of the order workflows while orders run`, () => {
    const deploymentName = uniqueId('catering-orders');
    let env: TestWorkflowEnvironment;
    let client: Client;
    let versionB: WorkflowBundleWithSourceMap;
    const workers: Worker[] = [];
    const stopped: Promise<void>[] = [];
    const card = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };
    const menus = [{ menuId: 'A', catererId: 'caterer-anna' }];

    /** An order worker of `buildId`, pinned, on this test's deployment, running until the suite ends. */
    async function startOrderWorker(buildId: string, bundle: WorkflowBundleWithSourceMap): Promise<void> {
      const worker = await createTestWorker(env, {
        workflowBundle: bundle,
        activities: orderWorkerActivities(env),
        workerDeploymentOptions: {
          version: { deploymentName, buildId },
          useWorkerVersioning: true,
          defaultVersioningBehavior: 'PINNED',
        },
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

    /** The build id a workflow's tasks run on, from the server's own record. */
    const versionOf = async (workflowId: string): Promise<string | undefined> => {
      const { workflowExecutionInfo } = await client.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: { workflowId },
      });
      return workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId ?? undefined;
    };

    const failedTasks = async (workflowId: string): Promise<number> => {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      return (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
    };

    /** Places an order and waits until it is Validated and, with `offered`, its menus went to its match (beside the validation). */
    const place = async (orderId: string, offered = false) => {
      // No retention: a finished order closes at once, so a drained version holds nothing.
      await placeOrder(client, {
        orderId,
        customerId: 'c-ver',
        amount: 80,
        currency: 'EUR',
        card,
        menus,
        retainFor: '0 seconds',
      });
      return eventually(
        `order ${orderId} validated`,
        () => getOrderState(client, orderId),
        (s: OrderState) => s.status === 'Validated' && (!offered || s.matchOffer !== undefined),
      );
    };

    const confirm = async (orderId: string) => {
      await publishMenuEvent(client, 'CustomerConfirmedMenu', {
        orderId,
        menuId: 'A',
        eventId: `${orderId}-c`,
      });
      await publishMenuEvent(client, 'CatererConfirmedMenu', {
        orderId,
        menuId: 'A',
        catererId: 'caterer-anna',
        eventId: `${orderId}-k`,
      });
      return eventually(
        `order ${orderId} confirmed`,
        () => getOrderState(client, orderId),
        (s: OrderState) => s.status === 'Confirmed',
      );
    };

    /** B's orders hand no menus over, so nothing confirms them: they finish by cancellation. */
    const cancel = async (orderId: string) => {
      await cancelOrder(client, orderId, 'version test');
      return eventually(
        `order ${orderId} cancelled`,
        () => getOrderState(client, orderId),
        (s: OrderState) => s.status === 'Cancelled',
      );
    };

    let tearDown: () => Promise<void> = () => Promise.resolve();

    beforeAll(async () => {
      ({ env, tearDown } = await setUp());
      client = env.client;
      versionB = await workflowBundleWithShim(
        require.resolve('../../workflows'),
        require.resolve('../fixtures/versioning/version-b'),
      );
      const validator = await createValidatorWorker(env);
      workers.push(validator);
      stopped.push(validator.run());
      await startOrderWorker('A', await workflowBundle());
      const said: string[] = [];
      await bootstrapCurrentVersion(client, { deploymentName, buildId: 'A' }, (line) => said.push(line));
      expect(said).toEqual([`version A made current: the first version of deployment ${deploymentName}`]);
    });

    afterAll(async () => {
      for (const worker of workers) worker.shutdown();
      await Promise.all(stopped);
      await tearDown();
    });

    test('when a version runs workflows, then the operator view counts them by version', async () => {
      const counted = uniqueId('counted');
      await place(counted);
      const counts = await eventually(
        'the running order and its match counted on A',
        () => countByVersion(client, deploymentName),
        (c) => (c.versions.find((v) => v.buildId === 'A')?.running ?? 0) >= 2,
      );
      expect(counts.current).toBe('A');
      await cancel(counted);
      await client.workflow.getHandle(cateringMatchWorkflowId(counted)).terminate('counted');
    });

    test('when B is made current, then new orders run B and the orders started on A finish on A without a failed task', async () => {
      const onA = uniqueId('on-a');
      const startedOnA = await place(onA, true);
      // A's code hands the menus over: the very step B lacks, so this order could not replay on B.
      expect(startedOnA.matchOffer).toBeDefined();

      await startOrderWorker('B', versionB);
      // A second order while B only stands by: still A's.
      const stillA = uniqueId('still-a');
      expect((await place(stillA, true)).matchOffer).toBeDefined();
      await setCurrent('B');

      const onB = uniqueId('on-b');
      const startedOnB = await place(onB);
      expect(startedOnB.matchOffer).toBeUndefined();
      expect(await versionOf(orderWorkflowId(onB))).toBe('B');

      for (const orderId of [onA, stillA]) {
        await confirm(orderId);
        expect({ orderId, version: await versionOf(orderWorkflowId(orderId)) }).toEqual({
          orderId,
          version: 'A',
        });
        expect({ orderId, failed: await failedTasks(orderWorkflowId(orderId)) }).toEqual({
          orderId,
          failed: 0,
        });
        expect(await versionOf(cateringMatchWorkflowId(orderId))).toBe('A');
      }
      await cancel(onB);
      expect(await failedTasks(orderWorkflowId(onB))).toBe(0);
      expect(await versionOf(orderWorkflowId(onB))).toBe('B');

      // A has drained: what the operator reads before retiring it (`npm run cli -- versions`).
      const counts = await eventually(
        'the versions as visibility counts them',
        () => countByVersion(client, deploymentName),
        (c) => c.versions.every((v) => v.running === 0) && c.versions.length === 2,
      );
      expect({ current: counts.current, builds: counts.versions.map((v) => v.buildId).sort() }).toEqual({
        current: 'B',
        builds: ['A', 'B'],
      });
      expect(formatVersionCounts(counts)).toMatch(/^B\s+\S+\s+current\s+0$/m);
    });

    test('when B was made current by mistake and A is restored, then new orders run A again and B’s orders finish on B', async () => {
      await setCurrent('B');
      const byMistake = uniqueId('by-mistake');
      expect((await place(byMistake)).matchOffer).toBeUndefined();
      await setCurrent('A');

      const restored = uniqueId('restored');
      expect((await place(restored, true)).matchOffer).toBeDefined();
      expect(await versionOf(orderWorkflowId(restored))).toBe('A');

      for (const [orderId, version, finish] of [
        [byMistake, 'B', cancel],
        [restored, 'A', confirm],
      ] as const) {
        await finish(orderId);
        expect({ orderId, version: await versionOf(orderWorkflowId(orderId)) }).toEqual({ orderId, version });
        expect({ orderId, failed: await failedTasks(orderWorkflowId(orderId)) }).toEqual({
          orderId,
          failed: 0,
        });
      }
    });
  });
}
