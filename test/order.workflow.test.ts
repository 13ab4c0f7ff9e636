import {
  ApplicationFailure,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  cancelOrder,
  confirmOrder,
  getOrderState,
  InvalidCommandError,
  OrderFinishedError,
  resumeValidation,
} from '../src/clients/order-client';
import { orderWorkflowId, TaskQueue, WorkflowType } from '../src/contract';
import type { OrderState, OrderSubmitted } from '../src/contract';
import {
  OrderHarness,
  orderInput,
  stateOf,
  statusesOf,
  submitForTest,
  useOrderTestEnv,
  testPolicy,
  validCard,
  waitForState,
} from './support/order-harness';
import { eventually } from './support/eventually';

const ctx = useOrderTestEnv();
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = ctx.env;
});

const submit = (input: OrderSubmitted) => submitForTest(env, input);
const statuses = statusesOf;
const refuseAll = () => ({ refuse: true });

describe('when the validator answers', () => {
  test('a valid card is Validated, then ConfirmOrder confirms it and publishes exactly one confirmation', async () => {
    const h = new OrderHarness(env);
    const input = orderInput();
    await h.run(async () => {
      const { handle, state } = await submit(input);
      const validated = await waitForState(state, (s) => s.status === 'Validated', 'Validated');
      expect(validated.validation).toMatchObject({ outcome: 'Validated', rounds: 1 });
      expect(validated.confirmation).toBeUndefined();

      await confirmOrder(env.client, input.orderId, 'm-2', 'evt-1');
      await confirmOrder(env.client, input.orderId, 'm-2', 'evt-1');
      const final = await handle.result();

      expect(final.status).toBe('Confirmed');
      expect(final.confirmation).toMatchObject({ menuId: 'm-2', eventId: 'evt-1', published: true });
      expect(final.refusals).toEqual([]);
      expect(statuses(final)).toEqual(['Pending', 'Validated', 'Confirmed']);
    });
    expect(h.publishCalls).toEqual([input.orderId]);
    expect(h.confirmations.get(input.orderId)).toMatchObject({
      menuId: 'm-2',
      customerId: 'c-7',
      amount: 120,
    });
    expect(h.attemptsFor(input.orderId)).toEqual([1]);
    expect(h.alertsFor(input.orderId)).toEqual([]);
  });

  test.each([
    ['fails the Luhn checksum', { card: { ...validCard, number: '4242424242424241' } }, /Luhn/],
    ['has expired', { card: { ...validCard, expiry: '01/20' } }, /expired/],
    ['is blocklisted', { card: { ...validCard, number: '4000-0000-0000-0002' } }, /blocked/],
    ['is over its limit', { amount: 25_000 }, /exceeds the card limit/],
  ])('a card that %s is Rejected with the reason, after one request', async (_why, overrides, reason) => {
    const h = new OrderHarness(env);
    const input = orderInput(overrides);
    const final = await h.run(async () => (await submit(input)).handle.result());
    expect(final.status).toBe('Rejected');
    expect(final.validation.outcome).toBe('Failed');
    expect(final.validation.reason).toMatch(reason);
    expect(statuses(final)).toEqual(['Pending', 'Rejected']);
    expect(h.attemptsFor(input.orderId)).toEqual([1]);
    expect(h.publishCalls).toEqual([]);
  });

  test('malformed card data is Rejected at once: the non-retryable failure is not retried', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({
      card: { ...validCard, number: '4242-42x' },
      validationPolicy: { ...testPolicy, maxAttempts: 5 },
    });
    const final = await h.run(async () => (await submit(input)).handle.result());
    expect(final.status).toBe('Rejected');
    expect(final.validation).toMatchObject({ outcome: 'InvalidCardData' });
    expect(final.validation.reason).toMatch(/invalid card data: card.number must be 12 to 19 digits/);
    expect(h.attemptsFor(input.orderId)).toEqual([1]);
    expect(h.alertsFor(input.orderId)).toEqual([]);
  });

  test('a validator silent past the reply timeout is asked again, and its late answer validates the order', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ validationPolicy: { ...testPolicy, maxAttempts: 5 } });
    h.script(input.orderId, (call) => (call <= 2 ? { hang: true } : {}));
    await h.run(async () => {
      const { state } = await submit(input);
      const validated = await waitForState(state, (s) => s.status === 'Validated', 'Validated');
      expect(validated.validation.rounds).toBe(1);
      expect(validated.stallEpisodes).toEqual([]);
    });
    expect(h.attemptsFor(input.orderId)).toEqual([1, 2, 3]);
    expect(h.answers.filter((a) => a.result.orderId === input.orderId)).toHaveLength(1);
    expect(h.alertsFor(input.orderId)).toEqual([]);
  });
});

describe('commands', () => {
  test('a ConfirmOrder before validation is kept and applied after it; its duplicate changes nothing', async () => {
    const h = new OrderHarness(env);
    const input = orderInput();
    const { handle } = await h.run(
      async () => {
        const submitted = await submit(input);
        // The order's answers: kept, the same again changes nothing, another menu is refused with the reason.
        expect(await confirmOrder(env.client, input.orderId, 'm-1', 'evt-1')).toEqual({
          outcome: 'applied',
          status: 'Pending',
        });
        expect(await confirmOrder(env.client, input.orderId, 'm-1', 'evt-1')).toEqual({
          outcome: 'duplicate',
          status: 'Pending',
          reason: 'confirmation for menu m-1 already pending',
        });
        await expect(confirmOrder(env.client, input.orderId, 'm-2', 'evt-2')).rejects.toMatchObject({
          name: 'CommandRefusedError',
          answer: { outcome: 'refused', reason: 'a confirmation for menu m-1 is already pending' },
        });
        const kept = await submitted.state();
        expect(kept.status).toBe('Pending');
        expect(kept.pendingConfirmation).toMatchObject({ menuId: 'm-1', eventId: 'evt-1' });
        expect(kept.refusals[0]).toMatchObject({
          command: 'ConfirmOrder',
          menuId: 'm-2',
          reason: expect.stringMatching(/menu m-1 is already pending/) as string,
        });
        return submitted;
      },
      { validator: false },
    );
    const final = await h.run(() => handle.result());
    // Confirmed and closed: a late command is told so, and its state is the result, with no worker.
    await expect(confirmOrder(env.client, input.orderId, 'm-1', 'evt-1')).rejects.toThrow(
      `order ${input.orderId} is Confirmed and closed; it no longer takes commands`,
    );
    expect(await getOrderState(env.client, input.orderId)).toEqual(final);
    expect(final.confirmation).toMatchObject({ menuId: 'm-1', eventId: 'evt-1', published: true });
    expect(final.refusals).toHaveLength(1);
    expect(statuses(final)).toEqual(['Pending', 'Validated', 'Confirmed']);
    expect(h.publishCalls).toEqual([input.orderId]);
  });

  test('a ConfirmOrder kept before validation is refused when the card is then rejected', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ card: { ...validCard, number: '4000000000000002' } });
    const { handle } = await h.run(
      async () => {
        const submitted = await submit(input);
        await confirmOrder(env.client, input.orderId, 'm-1', 'evt-1');
        await waitForState(submitted.state, (s) => s.pendingConfirmation !== undefined, 'confirmation kept');
        return submitted;
      },
      { validator: false },
    );
    const final = await h.run(() => handle.result());
    expect(final.status).toBe('Rejected');
    expect(final.pendingConfirmation).toBeUndefined();
    expect(final.refusals).toEqual([
      expect.objectContaining({
        command: 'ConfirmOrder',
        menuId: 'm-1',
        reason: 'card rejected: card is blocked by the issuer',
      }),
    ]);
    expect(h.publishCalls).toEqual([]);
  });

  test('a Rejected order closes at once: a later command, as update or signal, is told it is closed', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({ card: { ...validCard, expiry: '02/21' } });
    const { handle } = await submit(input);
    const final = await h.run(() => handle.result());
    expect(final.status).toBe('Rejected');
    await expect(confirmOrder(env.client, input.orderId, 'm-1', 'evt-9')).rejects.toThrow(
      `order ${input.orderId} is Rejected and closed`,
    );
    await expect(resumeValidation(env.client, input.orderId)).rejects.toBeInstanceOf(OrderFinishedError);
    await expect(handle.signal('CancelOrder', { orderId: input.orderId })).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(final.refusals).toEqual([]);
    expect(h.publishCalls).toEqual([]);
  });

  test('a Validated order is Cancelled by the update, which answers so, and closes', async () => {
    const h = new OrderHarness(env);
    const input = orderInput();
    const { handle, state } = await submit(input);
    const final = await h.run(async () => {
      await waitForState(state, (s) => s.status === 'Validated', 'Validated');
      expect(await cancelOrder(env.client, input.orderId, 'customer changed plans')).toEqual({
        outcome: 'applied',
        status: 'Cancelled',
      });
      return handle.result();
    });
    expect(final.status).toBe('Cancelled');
    expect(final.cancellation).toMatchObject({ reason: 'customer changed plans' });
    await expect(cancelOrder(env.client, input.orderId)).rejects.toThrow(
      `order ${input.orderId} is Cancelled and closed`,
    );
    expect(h.publishCalls).toEqual([]);
  });

  test('a ConfirmOrder answered applied confirms a Validated order, which closes with its confirmation', async () => {
    const h = new OrderHarness(env);
    const input = orderInput();
    const { handle, state } = await submit(input);
    const final = await h.run(async () => {
      await waitForState(state, (s) => s.status === 'Validated', 'Validated');
      expect(await confirmOrder(env.client, input.orderId, 'm-1')).toEqual({
        outcome: 'applied',
        status: 'Validated',
      });
      return handle.result();
    });
    expect(final.status).toBe('Confirmed');
    expect(final.confirmation?.menuId).toBe('m-1');
    expect(h.publishCalls).toEqual([input.orderId]);
  });

  test('a ConfirmOrder for a menu not on offer is refused', async () => {
    const h = new OrderHarness(env);
    const input = orderInput();
    const state = await h.run(async () => {
      const submitted = await submit(input);
      await waitForState(submitted.state, (s) => s.status === 'Validated', 'Validated');
      await expect(confirmOrder(env.client, input.orderId, 'm-9')).rejects.toThrow(
        `ConfirmOrder refused by order ${input.orderId} (Validated): menu m-9 is not on offer for this order (m-1, m-2)`,
      );
      return submitted.state();
    });
    expect(state.status).toBe('Validated');
    expect(state.refusals[0]?.reason).toBe('menu m-9 is not on offer for this order (m-1, m-2)');
  });

  /** Sent by hand: each malformed, or for another order, with the problem the order names. */
  const malformedCommands = (orderId: string) =>
    [
      ['ConfirmOrder', { orderId }, 'malformed ConfirmOrder: menuId is missing'],
      [
        'ConfirmOrder',
        { orderId: 'someone-else', menuId: 'm-1' },
        `malformed ConfirmOrder: orderId "someone-else" is another order's`,
      ],
      ['CancelOrder', { orderId, reason: 42 }, 'malformed CancelOrder: reason must be a string'],
      ['ResumeValidation', 'now', 'malformed ResumeValidation: must be an object'],
      [
        'CancelOrder',
        { orderId, reason: 'x'.repeat(1001) },
        'malformed CancelOrder: reason must be at most 1000 characters',
      ],
    ] as const;

  /**
   * A Validated order naming no menus (any menuId would be on offer, so only the check of the command itself stands
   * between a hand-sent ConfirmOrder without a menu and a Confirmed order with none), then `send`; its state after.
   */
  async function validatedWithoutMenus(send: (orderId: string) => Promise<void>): Promise<OrderState> {
    const h = new OrderHarness(env);
    const input = orderInput({ menus: [] });
    return h.run(async () => {
      const submitted = await submit(input);
      await waitForState(submitted.state, (s) => s.status === 'Validated', 'Validated');
      await send(input.orderId);
      return submitted.state();
    });
  }

  test('malformed commands and commands naming another order are refused with the field, and change nothing', async () => {
    let refused: OrderState | undefined;
    await validatedWithoutMenus(async (orderId) => {
      const raw = env.client.workflow.getHandle(orderWorkflowId(orderId));
      for (const [name, payload] of malformedCommands(orderId)) await raw.signal(name, payload);
      refused = await waitForState(
        stateOf(env, orderWorkflowId(orderId)),
        (s) => s.refusals.length === 5,
        'five refusals',
      );
    });
    expect(refused?.status).toBe('Validated');
    expect(refused?.confirmation).toBeUndefined();
    expect(refused?.refusals.map((r) => [r.command, r.reason])).toEqual(
      malformedCommands('').map(([name, , reason]) => [name, reason]),
    );
  });

  test('malformed commands sent as updates are rejected by the validator: nothing is recorded, no update is accepted', async () => {
    const state = await validatedWithoutMenus(async (orderId) => {
      const raw = env.client.workflow.getHandle(orderWorkflowId(orderId));
      for (const [name, payload, message] of malformedCommands(orderId)) {
        const rejected = raw.executeUpdate(name, { args: [payload] });
        await expect(rejected).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        await expect(rejected).rejects.toMatchObject({ cause: { type: 'InvalidCommand' } });
        await expect(rejected.catch((e: WorkflowUpdateFailedError) => e.cause?.message)).resolves.toContain(
          message,
        );
      }
      // Through the client: the same rejection, as InvalidCommandError naming the field.
      const tooLong = cancelOrder(env.client, orderId, 'x'.repeat(1001));
      await expect(tooLong).rejects.toBeInstanceOf(InvalidCommandError);
      await expect(tooLong).rejects.toThrow('reason must be at most 1000 characters');
      const events = (await raw.fetchHistory()).events ?? [];
      expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toEqual([]);
    });
    expect(state.status).toBe('Validated');
    expect(state.refusals).toEqual([]);
  });

  test('CancelOrder during a stalled validation cancels it: no more requests, no re-activation', async () => {
    const h = new OrderHarness(env);
    const input = orderInput();
    h.script(input.orderId, refuseAll);
    const final = await h.run(async () => {
      const { handle, state } = await submit(input);
      await waitForState(state, (s) => s.status === 'ValidationStalled', 'ValidationStalled');
      await cancelOrder(env.client, input.orderId, 'customer called');
      await waitForState(state, (s) => s.status === 'Cancelled', 'Cancelled');
      return handle.result();
    });
    expect(final.cancellation?.reason).toBe('customer called');
    expect(final.validation.nextReactivationAt).toBeUndefined();
    expect(statuses(final)).toEqual(['Pending', 'ValidationStalled', 'Cancelled']);
    expect(h.attemptsFor(input.orderId)).toEqual([1, 2, 3]);
  });

  test('CancelOrder while the validator is still thinking cancels the request in flight', async () => {
    const h = new OrderHarness(env);
    const input = orderInput({
      validationPolicy: { ...testPolicy, replyTimeout: '1 hour', deliveryWindow: '2 hours' },
    });
    h.script(input.orderId, () => ({ hang: true }));
    const cancelled = await h.run(async () => {
      const { state } = await submit(input);
      await waitForState(
        state,
        () => h.attemptsFor(input.orderId).length === 1,
        'the validator to receive the request',
      );
      await cancelOrder(env.client, input.orderId);
      const afterCancel = await waitForState(state, (s) => s.status === 'Cancelled', 'Cancelled', 5_000);
      // The status alone would also say Cancelled with the request left running; the validator must hear of it.
      await eventually(
        'the validator to see its request cancelled by the workflow',
        () => Promise.resolve(h.cancelRequestsSeen),
        (seen) => seen.includes(input.orderId),
        10_000,
      );
      return afterCancel;
    });
    expect(cancelled.validation.outcome).toBe('Pending');
    expect(h.attemptsFor(input.orderId)).toEqual([1]);
    expect(h.answers.filter((a) => a.result.orderId === input.orderId)).toEqual([]);
  });
});

test('an Order started by hand with invalid input fails with a non-retryable InvalidOrder naming the fields', async () => {
  const h = new OrderHarness(env);
  const workflowId = orderWorkflowId('by-hand');
  const err: unknown = await h.run(async () => {
    const handle = await env.client.workflow.start(WorkflowType.order, {
      workflowId: `${workflowId}-${Date.now()}`,
      taskQueue: TaskQueue.orders,
      args: [{ orderId: 'by-hand', amount: -3, currency: 'XYZ', card: { number: '4242424242424242' } }],
    });
    return (handle.result() as Promise<unknown>).catch((e: unknown) => e);
  });
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause).toMatchObject({ type: 'InvalidOrder', nonRetryable: true });
  expect(cause?.message).toContain('customerId is missing');
  expect(cause?.message).toContain('amount must be a positive number with at most two decimals');
  expect(cause?.message).toContain('currency XYZ is not supported');
  expect(cause?.message).toContain('card.expiry is missing');
});
