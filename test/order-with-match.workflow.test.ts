import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { publishMenuEvent, startCateringMatch } from '../src/clients/catering-match-client';
import { resumeValidation, submitOrder } from '../src/clients/order-client';
import { cateringMatchWorkflowId, orderWorkflowId } from '../src/contract';
import type { Order } from '../workflows/order/order.workflow';
import type { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import { createTimeSkippingEnv } from './support/environments';
import { OrderHarness, orderInput, stateOf, waitForState } from './support/order-harness';

/** The two process managers together: the real Order receives the real CateringMatch's ConfirmOrder. */
describe('Order and CateringMatch together', () => {
  let env: TestWorkflowEnvironment;
  let harness: OrderHarness;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    harness = new OrderHarness(env, { matches: 'real' });
  });

  afterAll(async () => {
    await env?.teardown();
  });

  /** Both sides agree on menu m-2 (caterer first, as the reference allows), and the match completes. */
  async function agreeOnMenu(
    orderId: string,
    matchEnds: 'Matched' | 'OrderNotFound' = 'Matched',
  ): Promise<void> {
    await startCateringMatch(env.client, { orderId, menus: orderInput().menus });
    await publishMenuEvent(env.client, 'CatererConfirmedMenu', {
      orderId,
      menuId: 'm-2',
      catererId: 'cat-2',
      eventId: `${orderId}-caterer`,
    });
    await publishMenuEvent(env.client, 'CustomerConfirmedMenu', {
      orderId,
      menuId: 'm-2',
      eventId: `${orderId}-customer`,
    });
    const match = await env.client.workflow
      .getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId))
      .result();
    expect(match).toMatchObject({ status: matchEnds, chosenMenuId: 'm-2' });
  }

  test('when a validated order gets its menu agreed, then the match confirms it once', async () => {
    await harness.run(async () => {
      const input = orderInput();
      await submitOrder(env.client, input);
      const order = stateOf(env, orderWorkflowId(input.orderId));
      await waitForState(order, (s) => s.status === 'Validated', 'Validated');

      await agreeOnMenu(input.orderId);

      const confirmed = await waitForState(
        order,
        (s) => s.confirmation?.published === true,
        'Confirmed and published',
      );
      expect(confirmed.confirmation).toMatchObject({
        menuId: 'm-2',
        eventId: `catering-match-${input.orderId}:confirm`,
      });
      expect(harness.publishCalls.filter((id) => id === input.orderId)).toHaveLength(1);
    });
  });

  test('when the menu is agreed before the card is validated, then the order is confirmed once validation succeeds', async () => {
    const input = orderInput();
    // The validator refuses until told otherwise: validation stalls, the ConfirmOrder must wait for it.
    let validatorUp = false;
    harness.script(input.orderId, () => (validatorUp ? {} : { refuse: true }));
    await harness.run(async () => {
      await submitOrder(env.client, input);
      const order = stateOf(env, orderWorkflowId(input.orderId));

      await agreeOnMenu(input.orderId);
      const kept = await waitForState(order, (s) => s.pendingConfirmation !== undefined, 'ConfirmOrder kept');
      expect(kept.status === 'Pending' || kept.status === 'ValidationStalled').toBe(true);

      await waitForState(order, (s) => s.status === 'ValidationStalled', 'ValidationStalled');
      validatorUp = true;
      await resumeValidation(env.client, input.orderId);

      const confirmed = await waitForState(
        order,
        (s) => s.confirmation?.published === true,
        'Confirmed and published',
      );
      expect(confirmed.confirmation?.menuId).toBe('m-2');
      expect(harness.publishCalls.filter((id) => id === input.orderId)).toHaveLength(1);
    });
  });

  test('when the card is rejected, then the order stays Rejected whatever the match does', async () => {
    await harness.run(async () => {
      const input = orderInput({
        card: { number: '4000 0000 0000 0002', expiry: '12/39', holder: 'Alan Turing' },
      });
      await submitOrder(env.client, input);
      const order = stateOf(env, orderWorkflowId(input.orderId));
      await waitForState(order, (s) => s.status === 'Rejected', 'Rejected');

      // The Rejected order has closed: the match's ConfirmOrder finds no open order, and says so.
      await agreeOnMenu(input.orderId, 'OrderNotFound');

      const state = await env.client.workflow
        .getHandle<typeof Order>(orderWorkflowId(input.orderId))
        .result();
      expect(state.status).toBe('Rejected');
      expect(state.refusals).toEqual([]);
      expect(harness.alertCalls.filter((a) => a.orderId === input.orderId).map((a) => a.kind)).toContain(
        'OrderNotFound',
      );
      expect(harness.publishCalls).not.toContain(input.orderId);
    });
  });
});
