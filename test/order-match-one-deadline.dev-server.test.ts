import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { getMatchState, publishMenuEvent } from '../src/clients/catering-match-client';
import { placeOrder } from '../src/clients/place-order';
import { cateringMatchWorkflowId, orderWorkflowId } from '../src/contract';
import type { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import type { CateringMatchState } from '../src/contract';
import type { Order } from '../workflows/order/order.workflow';
import { createAppWorkers } from './support/app-workers';
import { createDevServerEnv, uniqueId } from './support/environments';
import { eventually } from './support/eventually';

/**
 * An order and its match run by one deadline, the order's `confirmWithin`, however both were started: on a dev
 * server in real time (seconds), so that nothing depends on skipped time.
 */
describe('an order and its match run by one deadline', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let workers: { orders: Worker; validator: Worker };
  let running: Promise<void>;
  const card = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };
  const menus = [
    { menuId: 'A', catererId: 'cat-anna' },
    { menuId: 'B', catererId: 'cat-ben' },
  ];

  beforeAll(async () => {
    env = await createDevServerEnv();
    client = env.client;
    workers = await createAppWorkers(env);
    running = Promise.all([workers.orders.run(), workers.validator.run()]).then(() => undefined);
  });

  afterAll(async () => {
    workers?.orders.shutdown();
    workers?.validator.shutdown();
    await running;
    await env?.teardown();
  });

  const untilMatch = (orderId: string, what: string, done: (s: CateringMatchState) => boolean) =>
    eventually(what, () => getMatchState(client, orderId), done, 30_000);

  test.each([
    ['the order is placed first, its hand-over starting the match', false],
    ['an event started the match first, with the default deadline', true],
  ])(
    'when %s, then the match takes the order’s confirmWithin and both expire by it',
    async (_how, eventFirst) => {
      const orderId = uniqueId('one-deadline');
      if (eventFirst) {
        await publishMenuEvent(client, 'CustomerConfirmedMenu', {
          orderId,
          menuId: 'A',
          eventId: `${orderId}-c`,
        });
        const held = await untilMatch(orderId, 'the event held', (s) => s.heldEvents?.length === 1);
        // Started by the event: the match's own default until its order says otherwise.
        expect(Date.parse(held.deadline) - Date.parse(held.startedAt)).toBe(7 * 24 * 3600_000);
      }
      await placeOrder(client, {
        orderId,
        customerId: 'c-deadline',
        amount: 50,
        currency: 'EUR',
        card,
        menus,
        confirmWithin: '6 seconds',
      });
      const offered = await untilMatch(orderId, 'the offer applied', (s) => s.menusOffered);
      expect(Date.parse(offered.deadline) - Date.parse(offered.startedAt)).toBe(6_000);

      const ended = await client.workflow
        .getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId))
        .result();
      const order = await client.workflow.getHandle<typeof Order>(orderWorkflowId(orderId)).result();
      expect({ match: ended.status, order: order.status }).toEqual({
        match: 'Expired',
        order: 'Expired',
      });
      // It expired at the new deadline, not at the one its first timer was set for.
      expect(Math.abs(Date.parse(ended.updatedAt) - Date.parse(ended.deadline))).toBeLessThan(5_000);
      // The order counts from its validation, the match from its start: moments apart, one setting.
      expect(Math.abs(Date.parse(order.confirmBy ?? '') - Date.parse(ended.deadline))).toBeLessThan(5_000);
    },
  );
});
