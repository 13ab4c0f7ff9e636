import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { placeOrder } from '../src/clients/place-order';
import { publishMenuEvent } from '../src/clients/catering-match-client';
import { cancelOrder } from '../src/clients/order-client';
import { cateringMatchWorkflowId, MatchStatusAttribute } from '../src/contract';
import { eventually } from './support/eventually';
import type { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import { OrderHarness, orderInput, stateOf, useOrderTestEnv, waitForState } from './support/order-harness';

const ctx = useOrderTestEnv();
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = ctx.env;
});

describe('placing an order again (what the CLI does on `submit`)', () => {
  test('when its match has already finished, then the existing order comes back with the match as it ended; once the order has closed, it is refused', async () => {
    // The match is the order's own: started by the order's hand-over.
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput();
    await h.run(async () => {
      const first = await placeOrder(env.client, input);
      expect(first.order).toMatchObject({ created: true, acknowledged: true });
      expect(first.match?.workflowId).toBe(cateringMatchWorkflowId(input.orderId));
      const match = env.client.workflow.getHandle<typeof CateringMatch>(
        cateringMatchWorkflowId(input.orderId),
      );
      await waitForState(
        stateOf(env, first.order.workflowId),
        (s) => s.status === 'Validated' && s.matchOffer !== undefined,
        'validated, its menus offered',
      );
      // Every caterer declines: the match ends, the order stays open, waiting for a ConfirmOrder.
      for (const [menuId, catererId] of [
        ['m-1', 'cat-1'],
        ['m-2', 'cat-2'],
      ] as const)
        await publishMenuEvent(env.client, 'CatererDeclinedMenu', {
          orderId: input.orderId,
          menuId,
          catererId,
          eventId: `${input.orderId}-${menuId}-declined`,
        });
      // Polled, not awaited: awaiting a result lets the test server skip time, here to the order's own deadline.
      const ended = await eventually(
        'the match to end',
        () => match.describe(),
        (d) => d.status.name === 'COMPLETED',
      );
      expect(ended.typedSearchAttributes.get(MatchStatusAttribute)).toBe('NoMenuAgreed');
      const matchRunId = ended.runId;

      const again = await placeOrder(env.client, input);
      expect(again).toEqual({
        order: { ...first.order, status: 'Validated', created: false },
        match: {
          workflowId: cateringMatchWorkflowId(input.orderId),
          runId: matchRunId,
          finished: { status: 'NoMenuAgreed' },
        },
      });

      await cancelOrder(env.client, input.orderId, 'no caterer');
      await expect(placeOrder(env.client, input)).rejects.toThrow(
        `order ${input.orderId} is Cancelled and closed`,
      );
    });
  });
});
