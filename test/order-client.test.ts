import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  cancelOrder,
  confirmOrder,
  getOrderState,
  InvalidOrderError,
  OrderConflictError,
  OrderFinishedError,
  OrderNotAnsweringError,
  OrderNotFoundError,
  submitOrder,
} from '../src/clients/order-client';
import { CustomerIdAttribute, OrderStatusAttribute, orderWorkflowId } from '../src/contract';
import { uniqueId } from './support/environments';
import {
  OrderHarness,
  orderInput,
  stateOf,
  submitAcknowledged,
  submitAcknowledgedWithin,
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
  test('the order itself answers OrderStored; the same order again is answered with it; other content under its id is refused by its validator and leaves no event', async () => {
    const h = new OrderHarness(env);
    const input = orderInput();
    await h.run(async () => {
      const first = await submitAcknowledged(env, input);
      const handle = env.client.workflow.getHandle(orderWorkflowId(input.orderId));
      expect(first).toEqual({
        orderId: input.orderId,
        workflowId: orderWorkflowId(input.orderId),
        runId: (await handle.describe()).runId,
        status: 'Pending',
        created: true,
        acknowledged: true,
      });
      await waitForState(stateOf(env, first.workflowId), (s) => s.status === 'Validated', 'Validated');
      // A retry: the order answers with itself as it is now.
      expect(await submitOrder(env.client, { ...input })).toEqual({
        ...first,
        status: 'Validated',
        created: false,
      });

      // A rejected update is never accepted: no update event in the order's history (on the dev server, whose
      // speculative workflow tasks leave nothing, no event at all: test/order-updates.dev-server.test.ts).
      const updateEvents = async () =>
        (await handle.fetchHistory()).events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
          .length;
      const eventsBefore = await updateEvents();
      // Every field is compared, the card's too: the same key with other content is not a retry.
      for (const change of [
        { amount: 99 },
        { card: { ...validCard, holder: 'Someone Else' } },
        { menus: [] },
      ]) {
        await expect(submitOrder(env.client, { ...input, ...change })).rejects.toBeInstanceOf(
          OrderConflictError,
        );
      }
      expect(await updateEvents()).toBe(eventsBefore);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(CustomerIdAttribute)).toBe('c-7');
      expect(await description.staticSummary()).toBe(`Order ${input.orderId} · customer c-7 · 120.00 EUR`);
    });
  });

  test('a closed order submitted again is not restarted: the answer says how it ended', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ card: { ...validCard, number: '4000000000000002' } });
    const { handle } = await submitForTest(env, input);
    await h.run(() => handle.result());
    const again = submitOrder(env.client, input);
    await expect(again).rejects.toBeInstanceOf(OrderFinishedError);
    await expect(again).rejects.toThrow(`order ${input.orderId} is Rejected and closed`);
    expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
  });

  test('with no order worker, the start is durable and the answer says it is not yet acknowledged; the order answers once a worker runs', async () => {
    const input = orderInput();
    const unanswered = await submitAcknowledgedWithin(env, input, '1 second');
    expect(unanswered).toMatchObject({ orderId: input.orderId, status: 'Pending', acknowledged: false });
    expect(await orderStatusOf(input.orderId)).toBe('Pending');
    await new OrderHarness(env).run(async () => {
      expect(await submitOrder(env.client, input)).toMatchObject({ created: false, acknowledged: true });
      await waitForState(
        stateOf(env, orderWorkflowId(input.orderId)),
        (s) => s.status === 'Validated',
        'Validated',
      );
    });
  });

  test('with no order worker and no wait of its own, submitOrder waits the default acknowledgeWithin of 10 seconds and then says not yet acknowledged', async () => {
    const input = orderInput();
    const began = Date.now();
    const unanswered = await submitAcknowledged(env, input);
    const waited = Date.now() - began;
    expect(unanswered).toMatchObject({ orderId: input.orderId, status: 'Pending', acknowledged: false });
    expect(waited).toBeGreaterThanOrEqual(10_000);
    // The upper bound leaves room for a loaded machine, not for a longer default.
    expect(waited).toBeLessThan(14_000);
    // Picked up before it is terminated: a never-picked-up workflow's termination stops the test server's clock.
    await new OrderHarness(env).run(() =>
      waitForState(
        stateOf(env, orderWorkflowId(input.orderId)),
        (s) => s.status === 'Validated',
        'Validated',
      ),
    );
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

  test('a command to an order that has closed at its outcome says how it ended; its state is its result', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ amount: 50_000 });
    const { handle } = await submitForTest(env, input);
    const final = await h.run(() => handle.result());
    expect(final.status).toBe('Rejected');
    // No worker runs now: the closed order's state is read from its result.
    expect(await getOrderState(env.client, input.orderId)).toEqual(final);
    const refused = cancelOrder(env.client, input.orderId);
    await expect(refused).rejects.toBeInstanceOf(OrderFinishedError);
    await expect(refused).rejects.toThrow(
      `order ${input.orderId} is Rejected and closed; it no longer takes commands`,
    );
  });
  test('with no order worker, a command is OrderNotAnsweringError after its wait; the order applies it once a worker runs, and the same command again changes nothing', async () => {
    const input = orderInput();
    await submitAcknowledgedWithin(env, input, '1 second');
    const unanswered = cancelOrder(env.client, input.orderId, 'changed plans', { answerWithin: '1 second' });
    await expect(unanswered).rejects.toBeInstanceOf(OrderNotAnsweringError);
    await expect(unanswered).rejects.toThrow(
      `order ${input.orderId} did not answer CancelOrder in time: no order worker took it`,
    );
    const final = await new OrderHarness(env).run(async () => {
      // The server held the command: the order applies it at its next task, without it being sent again.
      const cancelled = await waitForState(
        stateOf(env, orderWorkflowId(input.orderId)),
        (s) => s.status === 'Cancelled',
        'Cancelled',
      );
      // Sent again, it changes nothing, and the answer says why.
      await expect(cancelOrder(env.client, input.orderId, 'changed plans')).rejects.toThrow(/cancelled/i);
      return cancelled;
    });
    expect(final.transitions.filter((t) => t.status === 'Cancelled')).toHaveLength(1);
  });
});
