/**
 * Both workflows continue as new on the server's own suggestion (`workflowInfo().continueAsNewSuggested`), not only
 * past a `maxHistoryEvents` of their own: a dev server that suggests it early, and an order and a match that set no
 * limit.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { getMatchState, publishMenuEvent } from '../src/clients/catering-match-client';
import { confirmOrder, getOrderState, submitOrder } from '../src/clients/order-client';
import { cateringMatchWorkflowId, orderWorkflowId, resumeValidationSignal } from '../src/contract';
import type { OrderState } from '../src/contract';
import type { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import type { Order } from '../workflows/order/order.workflow';
import { createAppWorkers } from './support/app-workers';
import { createDevServerEnv } from './support/environments';
import { eventually } from './support/eventually';
import { orderInput } from './support/order-harness';

/** Past this many events the server suggests continue-as-new; an order's way to Validated stays under it. */
const suggestAt = 40;

let env: TestWorkflowEnvironment;
let workers: Worker[];
let running: Promise<unknown>;

beforeAll(async () => {
  env = await createDevServerEnv({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': suggestAt } });
  const { orders, validator } = await createAppWorkers(env);
  workers = [orders, validator];
  running = Promise.all(workers.map((worker) => worker.run()));
});

afterAll(async () => {
  workers?.forEach((worker) => worker.shutdown());
  await running;
  await env?.teardown();
});

const historyLength = async (workflowId: string, runId: string): Promise<number> =>
  (await env.client.workflow.getHandle(workflowId, runId).fetchHistory()).events?.length ?? 0;

async function validatedOrder(): Promise<{ orderId: string; firstRunId: string }> {
  const input = orderInput();
  expect(input.maxHistoryEvents).toBeUndefined();
  const stored = await submitOrder(env.client, input);
  await eventually(
    'Validated',
    () => getOrderState(env.client, input.orderId),
    (s) => s.status === 'Validated',
    30_000,
  );
  return { orderId: input.orderId, firstRunId: stored.runId };
}

test('when an order waiting for ConfirmOrder passes the history length the server suggests, then it continues as new with its state and is still confirmed', async () => {
  const { orderId, firstRunId } = await validatedOrder();
  const handle = env.client.workflow.getHandle<typeof Order>(orderWorkflowId(orderId));
  expect(await historyLength(handle.workflowId, firstRunId)).toBeLessThan(suggestAt);

  // Signals that change nothing (its validation is not stalled), each a workflow task in its history.
  for (let i = 0; i < suggestAt / 2; i++) await handle.signal(resumeValidationSignal, { orderId });
  const continued = await eventually(
    'a second run',
    () => handle.describe(),
    (d) => d.runId !== firstRunId,
    30_000,
  );
  expect(continued.status.name).toBe('RUNNING');
  const first = env.client.workflow.getHandle(handle.workflowId, firstRunId);
  expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');

  const carried: OrderState = await eventually(
    'the continued run answering',
    () => getOrderState(env.client, orderId),
    (s) => s.run > 1,
    30_000,
  );
  expect(carried).toMatchObject({ status: 'Validated', validation: { rounds: 1 } });
  await confirmOrder(env.client, orderId, 'm-1');
  expect(await handle.result()).toMatchObject({ status: 'Confirmed', confirmation: { menuId: 'm-1' } });
});

test('when a match passes the history length the server suggests, then it continues as new with its state and still confirms its order once', async () => {
  const { orderId } = await validatedOrder();
  const match = env.client.workflow.getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId));
  const { runId: firstRunId } = await match.describe();

  const sent = suggestAt / 2;
  for (let i = 0; i < sent; i++)
    await publishMenuEvent(env.client, 'CustomerConfirmedMenu', {
      orderId,
      menuId: 'm-1',
      eventId: `c-${i}`,
    });
  await eventually(
    'a second run',
    () => match.describe(),
    (d) => d.runId !== firstRunId,
    30_000,
  );
  expect((await env.client.workflow.getHandle(match.workflowId, firstRunId).describe()).status.name).toBe(
    'CONTINUED_AS_NEW',
  );
  await eventually(
    `all ${sent} events applied`,
    () => getMatchState(env.client, orderId),
    (s) => s.processedEventCount === sent,
    30_000,
  );

  await publishMenuEvent(env.client, 'CatererConfirmedMenu', {
    orderId,
    menuId: 'm-1',
    catererId: 'cat-1',
    eventId: 'k-1',
  });
  expect(await match.result()).toMatchObject({
    status: 'Matched',
    chosenMenuId: 'm-1',
    processedEventCount: sent + 1,
  });
  const order = await env.client.workflow.getHandle<typeof Order>(orderWorkflowId(orderId)).result();
  expect(order).toMatchObject({ status: 'Confirmed', confirmation: { menuId: 'm-1' } });
});
