import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  cancelOrder,
  confirmOrder,
  getOrderState,
  InvalidOrderError,
  OrderConflictError,
  OrderFinishedError,
  OrderNotFoundError,
  submitOrder,
} from '../src/clients/order-client';
import { CustomerIdAttribute, OrderStatusAttribute, orderWorkflowId } from '../src/contract';
import { uniqueId } from './support/environments';
import {
  OrderHarness,
  orderInput,
  submitForTest,
  useOrderTestEnv,
  validCard,
  waitForState,
} from './support/order-harness';

const ctx = useOrderTestEnv();
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = ctx.env;
});

const orderStatusOf = async (orderId: string) =>
  (await env.client.workflow.getHandle(orderWorkflowId(orderId)).describe()).typedSearchAttributes.get(
    OrderStatusAttribute,
  );

describe('submitOrder', () => {
  test('stores the order before any worker runs; the same order again returns it, never a second; other content under its id is refused', async () => {
    const input = orderInput();
    const first = await submitForTest(env, input);
    expect(first.stored).toEqual({
      orderId: input.orderId,
      workflowId: orderWorkflowId(input.orderId),
      runId: expect.any(String) as string,
      status: 'Pending',
      created: true,
    });

    const again = await submitOrder(env.client, { ...input });
    expect(again).toEqual({ ...first.stored, created: false });
    // The same key with other content is not a retry: refused, and the stored order is left as it was.
    await expect(submitOrder(env.client, { ...input, amount: 99 })).rejects.toBeInstanceOf(
      OrderConflictError,
    );

    const description = await first.handle.describe();
    expect(description.runId).toBe(first.stored.runId);
    expect(description.typedSearchAttributes.get(OrderStatusAttribute)).toBe('Pending');
    expect(description.typedSearchAttributes.get(CustomerIdAttribute)).toBe('c-7');
    expect(await description.staticSummary()).toBe(`Order ${input.orderId} · customer c-7 · 120.00 EUR`);

    // Let its first workflow task run: terminating a workflow whose task was never picked up stops the test clock.
    const validated = await new OrderHarness(env).run(() =>
      waitForState(first.state, (s) => s.status === 'Validated', 'Validated'),
    );
    expect(validated.amount).toBe(120);
  });

  test('a finished order submitted again is returned as it ended, not restarted', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ card: { ...validCard, number: '4000000000000002' }, retainFor: '1 minute' });
    const { stored, handle } = await submitForTest(env, input);
    await h.run(() => handle.result());
    expect(await submitOrder(env.client, input)).toEqual({ ...stored, status: 'Rejected', created: false });
  });

  test('malformed input throws InvalidOrderError naming the fields, and starts nothing', async () => {
    const orderId = uniqueId('bad');
    const rejected = submitOrder(env.client, {
      orderId,
      customerId: 'c-1',
      amount: 10.005,
      currency: 'XYZ',
      card: { number: '4242424242424242', expiry: '2029-12', holder: 'A' },
    });
    await expect(rejected).rejects.toBeInstanceOf(InvalidOrderError);
    await expect(rejected).rejects.toMatchObject({
      problems: [
        'amount must be a positive number with at most two decimals (got 10.005)',
        'currency XYZ is not supported (EUR, USD, GBP, CHF, PLN)',
        'card.expiry must be MM/YY, as printed on the card',
      ],
      message: expect.stringMatching(
        /^invalid order: amount must be .*; currency XYZ .*; card.expiry must be MM\/YY/,
      ) as string,
    });
    await expect(env.client.workflow.getHandle(orderWorkflowId(orderId)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });
});

describe('an oversized order (what `npm run cli -- submit --file` sends)', () => {
  test('when its customerId is 3 MB long, then submitOrder throws InvalidOrderError naming customerId, and starts nothing', async () => {
    const input = orderInput({ customerId: 'c'.repeat(3 * 1024 * 1024) });
    const refused = submitOrder(env.client, input);
    await expect(refused).rejects.toBeInstanceOf(InvalidOrderError);
    await expect(refused).rejects.toMatchObject({
      problems: ['customerId must be at most 200 characters'],
      message: 'invalid order: customerId must be at most 200 characters',
    });
    await expect(
      env.client.workflow.getHandle(orderWorkflowId(input.orderId)).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

test('the OrderStatus search attribute follows the order through its transitions', async () => {
  const h = new OrderHarness(env);
  const input = orderInput();
  const { state } = await submitForTest(env, input);
  expect(await orderStatusOf(input.orderId)).toBe('Pending');
  await h.run(async () => {
    await waitForState(state, (s) => s.status === 'Validated', 'Validated');
    expect(await orderStatusOf(input.orderId)).toBe('Validated');
    await confirmOrder(env.client, input.orderId, 'm-1');
    await waitForState(state, (s) => s.status === 'Confirmed', 'Confirmed');
    expect(await orderStatusOf(input.orderId)).toBe('Confirmed');
  });
});

describe('unknown and finished orders', () => {
  test('an unknown order is OrderNotFoundError, for queries and commands', async () => {
    const orderId = uniqueId('nope');
    await expect(getOrderState(env.client, orderId)).rejects.toThrow(new OrderNotFoundError(orderId));
    await expect(confirmOrder(env.client, orderId, 'm-1')).rejects.toThrow(`no order ${orderId}`);
    await expect(cancelOrder(env.client, orderId)).rejects.toBeInstanceOf(OrderNotFoundError);
  });

  test('a command to an order whose workflow has completed says it is finished', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ amount: 50_000, retainFor: '10 minutes' });
    const { handle } = await submitForTest(env, input);
    const final = await h.run(async () => {
      const result = await handle.result();
      expect(await getOrderState(env.client, input.orderId)).toMatchObject({ status: 'Rejected' });
      return result;
    });
    expect(final.status).toBe('Rejected');
    const refused = cancelOrder(env.client, input.orderId);
    await expect(refused).rejects.toBeInstanceOf(OrderFinishedError);
    await expect(refused).rejects.toThrow(`order ${input.orderId} is finished (workflow completed)`);
  });
});
