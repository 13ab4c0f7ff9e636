import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createMatchOfferActivities } from '../activities/match-offer';
import { getMatchState, publishMenuEvent, startCateringMatch } from '../src/clients/catering-match-client';
import { cancelOrder, confirmOrder, resumeValidation, submitOrder } from '../src/clients/order-client';
import { cateringMatchWorkflowId, orderWorkflowId, TaskQueue, WorkflowType } from '../src/contract';
import type { CateringMatchState, OperationsAlert, OrderState, OrderSubmitted } from '../src/contract';
import { failureConverterPath, testDataConverter } from './support/codec';
import { createTimeSkippingEnv, uniqueId } from './support/environments';
import { eventually } from './support/eventually';
import { OrderHarness, orderInput, stateOf } from './support/order-harness';
import { releaseOneBundle } from './support/releases';

/*
 * Workflows started before versioning (unversioned, by the code of before issue 10, kept in test/fixtures/workflows-v1)
 * are left in flight at each step, that worker stops, and a worker with release 1's code (test/fixtures/release-1, whose
 * patches were written for them) finishes them on the same task queue: by the old rules where they had passed a
 * changed point, by the new ones where the patches allow, and without a single workflow task failing. Release 2 has no
 * patch for them: they finish on release 1.
 */

const bundle = (workflowsPath: string) =>
  bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: new DefaultLogger('WARN') });

let env: TestWorkflowEnvironment;
const alerts: OperationsAlert[] = [];
const published: string[] = [];

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

function orderWorker(workflowBundle: WorkflowBundleWithSourceMap): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TaskQueue.orders,
    dataConverter: testDataConverter(),
    workflowBundle,
    // Workers come and go here; see test/support/order-harness.ts on the test server's sticky queues.
    maxCachedWorkflows: 0,
    activities: {
      raiseAlert: (alert: OperationsAlert) => {
        alerts.push(alert);
        return Promise.resolve();
      },
      // The v1 code never calls it; release 1 hands its menus to the match for real.
      ...createMatchOfferActivities(env.client),
      publishOrderConfirmed: (notice: { orderId: string }) => {
        published.push(notice.orderId);
        return Promise.resolve();
      },
    },
  });
}

const orderState = (orderId: string) => stateOf(env, orderWorkflowId(orderId));
const untilOrder = (orderId: string, what: string, done: (s: OrderState) => boolean) =>
  eventually(`order ${orderId}: ${what}`, orderState(orderId), done, 30_000);
const untilMatch = (orderId: string, what: string, done: (s: CateringMatchState) => boolean) =>
  eventually(`match ${orderId}: ${what}`, () => getMatchState(env.client, orderId), done, 30_000);
const event = (orderId: string, menuId: string) => ({ orderId, menuId, eventId: uniqueId('evt') });
const catererEvent = (orderId: string, menuId: string, catererId: string) => ({
  ...event(orderId, menuId),
  catererId,
});

const failedTasks = async (handle: WorkflowHandle): Promise<number> =>
  ((await handle.fetchHistory()).events ?? []).filter(
    (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  ).length;

test('when unversioned workflows started by the code before issue 10 are finished by release 1, then each ends by the rules its history allows and none fails a task', async () => {
  const harness = new OrderHarness(env, { matches: 'real' });
  const validator = await harness.validatorWorker();
  const [oldCode, releaseOne] = await Promise.all([
    bundle(require.resolve('./fixtures/workflows-v1/workflows')),
    releaseOneBundle(),
  ]);
  // Each asks for a one-day confirmation deadline, which the old code does not know.
  const withDeadline = (overrides: Partial<OrderSubmitted> = {}) =>
    orderInput({ confirmWithin: '1 day', ...overrides });

  // Validated and waiting for ConfirmOrder: past the changed point, it keeps waiting without a deadline.
  const waiting = withDeadline();
  // Stalled while the validator is down: validated after the upgrade, so the deadline applies.
  const stalled = withDeadline();
  let validatorUp = false;
  harness.script(stalled.orderId, () => (validatorUp ? {} : { refuse: true }));
  // An order naming no menus and its event-started match: the match learns menus from events, as it did.
  const learning = withDeadline({ menus: [] });
  delete learning.menus;
  // A match started by an event for an order that only arrives after the upgrade (with release 1's code).
  const lateOrder = withDeadline({
    menus: [
      { menuId: 'A', catererId: 'cat-anna' },
      { menuId: 'B', catererId: 'cat-ben' },
    ],
  });

  const old = await orderWorker(oldCode);
  await validator.runUntil(async () => {
    await old.runUntil(async () => {
      await submitOrder(env.client, waiting);
      // As placeOrder does: the old Order starts no match.
      await startCateringMatch(env.client, { orderId: waiting.orderId, menus: waiting.menus! });
      await submitOrder(env.client, stalled);
      await submitOrder(env.client, learning);
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', event(learning.orderId, 'A'));
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', event(lateOrder.orderId, 'A'));

      await untilOrder(waiting.orderId, 'Validated', (s) => s.status === 'Validated');
      await untilOrder(stalled.orderId, 'ValidationStalled', (s) => s.status === 'ValidationStalled');
      await untilOrder(learning.orderId, 'Validated', (s) => s.status === 'Validated');
      await untilMatch(learning.orderId, 'menu A learnt', (s) => s.processedEventCount === 1);
      await untilMatch(lateOrder.orderId, 'menu A learnt', (s) => s.processedEventCount === 1);
    });

    const upgraded = await orderWorker(releaseOne);
    await upgraded.runUntil(async () => {
      validatorUp = true;
      await resumeValidation(env.client, stalled.orderId);
      const validatedLater = await untilOrder(stalled.orderId, 'Validated', (s) => s.status === 'Validated');
      expect(validatedLater.confirmBy).toBeDefined();
      expect((await orderState(waiting.orderId)()).confirmBy).toBeUndefined();

      // Old rules for the old learning match: any caterer's word for a menu it learnt.
      await publishMenuEvent(
        env.client,
        'CatererConfirmedMenu',
        catererEvent(learning.orderId, 'A', 'whoever'),
      );
      await untilOrder(learning.orderId, 'Confirmed', (s) => s.status === 'Confirmed');

      // New rules where they may apply: release 1's Order hands its menus to the old match, whose caterers now count.
      await env.client.workflow.start(WorkflowType.order, {
        workflowId: orderWorkflowId(lateOrder.orderId),
        taskQueue: TaskQueue.orders,
        args: [lateOrder],
      });
      await untilMatch(lateOrder.orderId, 'the order’s offer', (s) => s.menusOffered);
      await publishMenuEvent(
        env.client,
        'CatererConfirmedMenu',
        catererEvent(lateOrder.orderId, 'A', 'cat-ben'),
      );
      await untilMatch(
        lateOrder.orderId,
        'cat-ben ignored',
        (s) => s.ignoredByReason['caterer mismatch'] === 1,
      );
      await publishMenuEvent(
        env.client,
        'CatererConfirmedMenu',
        catererEvent(lateOrder.orderId, 'A', 'cat-anna'),
      );
      await untilOrder(lateOrder.orderId, 'Confirmed', (s) => s.status === 'Confirmed');

      // Two days later: only the order validated by release 1's code has expired.
      await env.sleep('2 days');
      await untilOrder(stalled.orderId, 'Expired', (s) => s.status === 'Expired');
      expect((await orderState(waiting.orderId)()).status).toBe('Validated');
      await confirmOrder(env.client, waiting.orderId, 'm-1');
      await untilOrder(waiting.orderId, 'Confirmed', (s) => s.status === 'Confirmed');
    });
  });

  expect(alerts.filter((a) => a.kind === 'OrderExpired').map((a) => a.orderId)).toEqual([stalled.orderId]);
  expect(published.sort()).toEqual([waiting.orderId, learning.orderId, lateOrder.orderId].sort());
  for (const { orderId } of [waiting, stalled, learning, lateOrder]) {
    for (const id of [orderWorkflowId(orderId), cateringMatchWorkflowId(orderId)]) {
      const handle = env.client.workflow.getHandle(id);
      if (id === cateringMatchWorkflowId(stalled.orderId)) continue; // the old stalled order started none
      expect({ id, failedTasks: await failedTasks(handle) }).toEqual({ id, failedTasks: 0 });
      await handle.terminate('test finished').catch(() => undefined);
    }
  }

  // The histories the old code started replay against release 1's code.
  const waitingHistory = await env.client.workflow.getHandle(orderWorkflowId(waiting.orderId)).fetchHistory();
  const learningMatchHistory = await env.client.workflow
    .getHandle(cateringMatchWorkflowId(learning.orderId))
    .fetchHistory();
  await expect(
    Worker.runReplayHistory(
      { workflowBundle: releaseOne, dataConverter: testDataConverter() },
      waitingHistory,
    ),
  ).resolves.toBeUndefined();
  await expect(
    Worker.runReplayHistory(
      { workflowBundle: releaseOne, dataConverter: testDataConverter() },
      learningMatchHistory,
    ),
  ).resolves.toBeUndefined();
});

test('when an order runs code from before the updates, then a submission is stored unacknowledged and a command goes as its signal', async () => {
  // As an order pinned to an older Worker Deployment version would: its code registers no update handler.
  const harness = new OrderHarness(env);
  const validator = await harness.validatorWorker();
  const old = await orderWorker(await bundle(require.resolve('./fixtures/workflows-v1/workflows')));
  const input = orderInput();
  await validator.runUntil(
    old.runUntil(async () => {
      expect(await submitOrder(env.client, input)).toMatchObject({
        orderId: input.orderId,
        created: false,
        acknowledged: false,
      });
      await untilOrder(input.orderId, 'Validated', (s) => s.status === 'Validated');
      expect(await cancelOrder(env.client, input.orderId, 'by signal')).toEqual({
        outcome: 'signalled',
        status: 'Validated',
      });
      // The old code's own answer, recorded as it always was.
      const cancelled = await untilOrder(input.orderId, 'Cancelled', (s) => s.status === 'Cancelled');
      expect(cancelled.cancellation).toMatchObject({ reason: 'by signal' });
      await env.client.workflow.getHandle(orderWorkflowId(input.orderId)).terminate('test finished');
    }),
  );
});
