import { msToNumber } from '@temporalio/common';
import { publishMenuEvent } from '../src/clients/catering-match-client';
import { submitOrder } from '../src/clients/order-client';
import { cateringMatchWorkflowId, orderWorkflowId } from '../src/contract';
import type { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import type { Order } from '../workflows/order/order.workflow';
import { uniqueId } from './support/environments';
import { OrderHarness, orderInput, submitForTest, useOrderTestEnv } from './support/order-harness';

/**
 * Deadlines of issue 10, in a file of their own: each test lets the test server skip days, which a clock left locked
 * by an earlier test's back-to-back signals would stop (see test/support/order-harness.ts).
 */
const test_ = useOrderTestEnv();

const started: string[] = [];
afterEach(async () => {
  // A match started by events waits days for its order; a test's leftovers must not run on.
  for (const id of started.splice(0)) {
    const handle = test_.env.client.workflow.getHandle(id);
    const running = await handle
      .describe()
      .then((d) => d.status.name === 'RUNNING')
      .catch(() => false);
    if (running) await handle.terminate('test finished');
  }
});

const matchHandle = (orderId: string) =>
  test_.env.client.workflow.getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId));

describe('the confirmation deadline', () => {
  test('when a validated order gets no ConfirmOrder within confirmWithin, then it ends Expired with one alert', async () => {
    const { env } = test_;
    const h = new OrderHarness(env);
    const input = orderInput({ confirmWithin: '2 days' });
    started.push(orderWorkflowId(input.orderId), cateringMatchWorkflowId(input.orderId));
    await submitOrder(env.client, input);
    const handle = env.client.workflow.getHandle<typeof Order>(orderWorkflowId(input.orderId));
    // Awaiting the result lets the test server skip the two days.
    const final = await h.run(() => handle.result());
    expect(final.status).toBe('Expired');
    expect(final.transitions.map((t) => t.status)).toEqual(['Pending', 'Validated', 'Expired']);
    expect(Date.parse(final.confirmBy!) - Date.parse(final.validation.answeredAt!)).toBe(2 * 24 * 3600_000);
    expect(Date.parse(final.transitions[2]!.at)).toBeGreaterThanOrEqual(Date.parse(final.confirmBy!));
    expect(h.alertsFor(input.orderId).filter((a) => a.kind === 'OrderExpired')).toEqual([
      expect.objectContaining({ alertId: `${input.orderId}:order-expired` }),
    ]);
    expect(h.publishCalls).not.toContain(input.orderId);
  });
});

describe('the default confirmation deadline', () => {
  test('when an order names no confirmWithin, then it waits 7 days from validation, hands its match the same 7 days, and then expires', async () => {
    const { env } = test_;
    const h = new OrderHarness(env);
    const input = orderInput();
    expect(input.confirmWithin).toBeUndefined();
    const { handle } = await submitForTest(env, input);
    const final = await h.run(() => handle.result());
    expect(final.status).toBe('Expired');
    expect(Date.parse(final.confirmBy!) - Date.parse(final.validation.answeredAt!)).toBe(7 * 24 * 3600_000);
    expect(h.matchOffers.map((o) => msToNumber(o.confirmWithin!))).toEqual([7 * 24 * 3600_000]);
  });
});

describe('a match without an order', () => {
  test('when the order never comes, then the events end with the match’s default deadline of 7 days', async () => {
    const { env } = test_;
    const h = new OrderHarness(env);
    const orderId = uniqueId('never');
    started.push(cateringMatchWorkflowId(orderId));
    await h.run(async () => {
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', {
        orderId,
        menuId: 'A',
        eventId: uniqueId('cust'),
      });
      await publishMenuEvent(env.client, 'CatererConfirmedMenu', {
        orderId,
        menuId: 'A',
        catererId: 'anyone',
        eventId: uniqueId('cat'),
      });
      const final = await matchHandle(orderId).result();
      expect(final).toMatchObject({ status: 'Expired', awaitingOffer: true });
      // Started by an event, it knows no deadline but its own default of 7 days.
      expect(Date.parse(final.deadline) - Date.parse(final.startedAt)).toBe(7 * 24 * 3600_000);
      expect(h.alertsFor(orderId).map((a) => a.kind)).toEqual(['MatchExpired']);
    });
  });
});
