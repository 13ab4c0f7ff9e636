import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { placeOrder } from '../src/place-order';
import { cateringMatchWorkflowId, OrderStatusAttribute } from '../src/shared';
import type { CateringMatch } from '../workflows/catering-match';
import { OrderHarness, orderInput, stateOf, useOrderTestEnv, waitForState } from './support/order-harness';

const ctx = useOrderTestEnv();
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = ctx.env;
});

describe('placing an order again (what the CLI does on `submit`)', () => {
  test('when its match has already finished, then the existing order comes back with the match as it ended', async () => {
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput();
    const first = await placeOrder(env.client, input, { confirmWithin: '1 minute' });
    expect(first.order.created).toBe(true);
    expect(first.match?.workflowId).toBe(cateringMatchWorkflowId(input.orderId));

    await h.run(async () => {
      const match = env.client.workflow.getHandle<typeof CateringMatch>(
        cateringMatchWorkflowId(input.orderId),
      );
      expect(await match.result()).toMatchObject({ status: 'Expired' });
      await waitForState(
        stateOf(env, first.order.workflowId),
        (s) => s.validation.outcome === 'Validated',
        'validated',
      );
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
        runId: first.match?.runId,
        finished: { status: 'Expired' },
      },
    });
  });
});
