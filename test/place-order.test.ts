import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { placeOrder } from '../src/clients/place-order';
import { cateringMatchWorkflowId, OrderStatusAttribute } from '../src/contract';
import type { CateringMatch } from '../workflows/catering-match';
import { OrderHarness, orderInput, stateOf, useOrderTestEnv, waitForState } from './support/order-harness';

const ctx = useOrderTestEnv();
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = ctx.env;
});

describe('placing an order again (what the CLI does on `submit`)', () => {
  test('when its match has already finished, then the existing order comes back with the match as it ended', async () => {
    // The match is the order's own: started by the order's hand-over, with the order's confirmation deadline.
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput();
    const first = await placeOrder(env.client, input, { confirmWithin: '1 minute' });
    expect(first.order.created).toBe(true);
    expect(first.match?.workflowId).toBe(cateringMatchWorkflowId(input.orderId));

    let matchRunId: string | undefined;
    await h.run(async () => {
      const match = env.client.workflow.getHandle<typeof CateringMatch>(
        cateringMatchWorkflowId(input.orderId),
      );
      // The match exists once the order has handed its menus over.
      await waitForState(
        stateOf(env, first.order.workflowId),
        (s) => s.validation.outcome === 'Validated' && s.matchOffer !== undefined,
        'validated, its menus offered',
      );
      expect(await match.result()).toMatchObject({ status: 'Expired' });
      matchRunId = (await match.describe()).runId;
    });

    // The order may since have passed its own confirmation deadline in the skipped time: it is returned as it is.
    const status = (
      await env.client.workflow.getHandle(first.order.workflowId).describe()
    ).typedSearchAttributes.get(OrderStatusAttribute);
    const again = await placeOrder(env.client, input, { confirmWithin: '1 minute' });
    expect(again).toEqual({
      order: { ...first.order, status, created: false },
      match: {
        workflowId: cateringMatchWorkflowId(input.orderId),
        runId: matchRunId,
        finished: { status: 'Expired' },
      },
    });
  });
});
