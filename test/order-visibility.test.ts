import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { listOrders } from '../src/clients/order-client';
import type { OrderSummary } from '../src/clients/order-client';
import { createDevServerEnv } from './support/environments';
import { eventually } from './support/eventually';
import {
  OrderHarness,
  orderInput,
  submitForTest,
  terminateStarted,
  validCard,
  waitForState,
} from './support/order-harness';

// Listing needs the visibility store of a real server; the time-skipping server has none.
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createDevServerEnv();
});
afterAll(async () => {
  await terminateStarted(env);
  await env?.teardown();
});

// Visibility is eventually consistent: a list catches up with a transition shortly after it.
const listUntil = (find: () => Promise<OrderSummary[]>, done: (orders: OrderSummary[]) => boolean) =>
  eventually('visibility to catch up', find, done, 15_000);

test('listOrders filters orders by their OrderStatus search attribute', async () => {
  const h = new OrderHarness(env);
  const good = orderInput({ customerId: 'c-visible' });
  const declined = orderInput({
    customerId: 'c-visible',
    card: { ...validCard, number: '4000000000000002' },
  });
  await h.run(async () => {
    const [a, b] = [await submitForTest(env, good), await submitForTest(env, declined)];
    await waitForState(a.state, (s) => s.status === 'Validated', 'Validated');
    await waitForState(b.state, (s) => s.status === 'Rejected', 'Rejected');
  });

  const ids = (orders: OrderSummary[]) => orders.map((o) => o.orderId).sort();
  const rejected = await listUntil(
    () => listOrders(env.client, { status: 'Rejected' }),
    (orders) => ids(orders).includes(declined.orderId),
  );
  expect(ids(rejected)).toContain(declined.orderId);
  expect(ids(rejected)).not.toContain(good.orderId);
  expect(rejected.find((o) => o.orderId === declined.orderId)).toMatchObject({
    status: 'Rejected',
    customerId: 'c-visible',
    // Closed at its outcome, and still found by its status.
    executionStatus: 'COMPLETED',
  });

  const mine = await listUntil(
    () => listOrders(env.client, { customerId: 'c-visible' }),
    (orders) => orders.length === 2,
  );
  expect(ids(mine)).toEqual([good.orderId, declined.orderId].sort());
  await expect(listOrders(env.client, { status: 'Lost' as never })).rejects.toThrow(
    /unknown order status Lost/,
  );
});
