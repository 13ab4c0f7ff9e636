import { getMatchState, publishMenuEvent, startCateringMatch } from '../src/clients/catering-match-client';
import { OrderConflictError, submitOrder } from '../src/clients/order-client';
import {
  cateringMatchWorkflowId,
  getOrderStateQuery,
  orderWorkflowId,
  TaskQueue,
  WorkflowType,
} from '../src/contract';
import type { CateringMatchState, OrderSubmitted } from '../src/contract';
import type { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import type { Order } from '../workflows/order/order.workflow';
import { uniqueId } from './support/environments';
import { eventually } from './support/eventually';
import { OrderHarness, orderInput, stateOf, testPolicy, useOrderTestEnv } from './support/order-harness';

/**
 * The order is the source of truth for its menus (issue 10): however the order and its match were started, the
 * match decides by the order's menus and caterers, and a validated order does not wait for ConfirmOrder for ever.
 */
const test_ = useOrderTestEnv();

const menus = [
  { menuId: 'A', catererId: 'cat-anna' },
  { menuId: 'B', catererId: 'cat-ben' },
];

/** As the README's `temporal workflow start` does it: the raw input, no client checks, no memo, no match. */
async function startByHand(input: OrderSubmitted) {
  const { env } = test_;
  const handle = await env.client.workflow.start<typeof Order>(WorkflowType.order, {
    workflowId: orderWorkflowId(input.orderId),
    taskQueue: TaskQueue.orders,
    args: [input],
  });
  return { handle, state: stateOf(env, handle.workflowId) };
}

const matchHandle = (orderId: string) =>
  test_.env.client.workflow.getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId));

const untilMatch = (orderId: string, what: string, done: (s: CateringMatchState) => boolean) =>
  eventually(what, () => getMatchState(test_.env.client, orderId), done, 30_000);

const customer = (orderId: string, menuId: string) => ({ orderId, menuId, eventId: uniqueId('cust') });
const caterer = (orderId: string, menuId: string, catererId: string) => ({
  orderId,
  menuId,
  catererId,
  eventId: uniqueId('cat'),
});

afterEach(async () => {
  // The order's match is abandoned by design (it outlives the order); a test's leftovers must not run on.
  for (const { workflowId, status } of await listRunning()) {
    if (status === 'RUNNING')
      await test_.env.client.workflow.getHandle(workflowId).terminate('test finished');
  }
});

async function listRunning(): Promise<{ workflowId: string; status: string }[]> {
  const found: { workflowId: string; status: string }[] = [];
  for (const id of started.splice(0)) {
    const d = await test_.env.client.workflow
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    if (d) found.push({ workflowId: id, status: d.status.name });
  }
  return found;
}
const started: string[] = [];
const track = (orderId: string) => started.push(orderWorkflowId(orderId), cateringMatchWorkflowId(orderId));

describe('the match learns the menus from the order', () => {
  test('when the card is rejected while the hand-over is still out, then the order closes only once its match has the menus', async () => {
    const { env } = test_;
    let release = (): void => undefined;
    const h = new OrderHarness(env, { offersHeldUntil: new Promise<void>((r) => (release = r)) });
    const input = orderInput({ menus, card: { ...orderInput().card, number: '4000-0000-0000-0002' } });
    track(input.orderId);
    await h.run(async () => {
      const { handle } = await startByHand(input);
      try {
        // The offer and the validation are scheduled in the same task: the blocklisted card is answered first.
        const rejected = await eventually(
          'Rejected with the offer out',
          () => handle.query(getOrderStateQuery),
          (s) => s.status === 'Rejected',
          30_000,
        );
        expect(rejected.matchOffer).toBeUndefined();
        expect(h.matchOffers.map((o) => o.offer.orderId)).toEqual([input.orderId]);
        expect((await handle.describe()).status.name).toBe('RUNNING');
      } finally {
        // Held, the offer would keep the worker from shutting down.
        release();
      }
      const final = await handle.result();
      expect(final.status).toBe('Rejected');
      expect(final.matchOffer?.how).toBe('offered');
    });
  });

  test('when an order started by hand offers menus, then its match knows their caterers and ignores a confirmation from the wrong one', async () => {
    const { env } = test_;
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput({ menus });
    track(input.orderId);
    await h.run(async () => {
      const { state } = await startByHand(input);
      await eventually('Validated', state, (s) => s.status === 'Validated', 30_000);
      const match = await untilMatch(input.orderId, 'the match started by the order', (s) => s.menusOffered);
      expect(match.menus.map((m) => [m.menuId, m.catererId])).toEqual([
        ['A', 'cat-anna'],
        ['B', 'cat-ben'],
      ]);

      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customer(input.orderId, 'A'));
      await publishMenuEvent(env.client, 'CatererConfirmedMenu', caterer(input.orderId, 'A', 'cat-ben'));
      const afterWrong = await untilMatch(
        input.orderId,
        'the wrong caterer ignored',
        (s) => s.ignoredByReason['caterer mismatch'] === 1,
      );
      expect(afterWrong.status).toBe('AwaitingConfirmations');
      expect((await state()).status).toBe('Validated');

      await publishMenuEvent(env.client, 'CatererConfirmedMenu', caterer(input.orderId, 'A', 'cat-anna'));
      const confirmed = await eventually('Confirmed', state, (s) => s.status === 'Confirmed', 30_000);
      expect(confirmed.confirmation?.menuId).toBe('A');
    });
  });

  test('when events started the match before the order existed, then the order’s offer re-checks them: the wrong caterer is ignored and recorded', async () => {
    const { env } = test_;
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput({ menus });
    track(input.orderId);
    await h.run(async () => {
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customer(input.orderId, 'A'));
      await publishMenuEvent(env.client, 'CatererConfirmedMenu', caterer(input.orderId, 'A', 'cat-ben'));
      const held = await untilMatch(input.orderId, 'both events held', (s) => s.heldEvents?.length === 2);
      expect(held).toMatchObject({ status: 'AwaitingConfirmations', awaitingOffer: true });

      const { state } = await startByHand(input);
      const rechecked = await untilMatch(input.orderId, 'the offer applied', (s) => s.menusOffered);
      expect(rechecked.status).toBe('AwaitingConfirmations');
      expect(rechecked.ignoredEvents).toEqual([
        expect.objectContaining({
          kind: 'CatererConfirmedMenu',
          reason: 'caterer mismatch',
          catererId: 'cat-ben',
        }),
      ]);
      expect(rechecked.menus[0]).toMatchObject({ menuId: 'A', customerConfirmed: true, caterer: 'none' });
      await eventually('Validated', state, (s) => s.status === 'Validated', 30_000);
      expect((await state()).matchOffer?.how).toBe('offered');

      await publishMenuEvent(env.client, 'CatererConfirmedMenu', caterer(input.orderId, 'A', 'cat-anna'));
      const confirmed = await eventually('Confirmed', state, (s) => s.status === 'Confirmed', 30_000);
      expect(confirmed.confirmation?.menuId).toBe('A');
    });
  });

  test('when every caterer of an event-started match declines, then it ends NoMenuAgreed once the order has offered', async () => {
    const { env } = test_;
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput({ menus });
    track(input.orderId);
    await h.run(async () => {
      await publishMenuEvent(env.client, 'CatererDeclinedMenu', caterer(input.orderId, 'A', 'cat-anna'));
      await publishMenuEvent(env.client, 'CatererDeclinedMenu', caterer(input.orderId, 'B', 'cat-ben'));
      await untilMatch(input.orderId, 'both declines held', (s) => s.heldEvents?.length === 2);
      await submitOrder(env.client, input);
      expect(await matchHandle(input.orderId).result()).toMatchObject({ status: 'NoMenuAgreed' });
      expect(h.alertsFor(input.orderId).map((a) => a.kind)).toContain('NoMenuAgreed');
    });
  });
});

describe('what the match held before the order offered', () => {
  test('when a match started with other menus holds answers, then the order’s offer re-checks them: a wrong caterer’s word is caterer mismatch, answers for a menu not offered are menu not on offer', async () => {
    const { env } = test_;
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput({ menus });
    track(input.orderId);
    await h.run(async () => {
      // Started explicitly with menus of its own, then answered by the customer and a caterer, before any order.
      await startCateringMatch(env.client, {
        orderId: input.orderId,
        menus: [
          { menuId: 'A', catererId: 'cat-ben' },
          { menuId: 'C', catererId: 'cat-cleo' },
        ],
      });
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customer(input.orderId, 'A'));
      await publishMenuEvent(env.client, 'CatererDeclinedMenu', caterer(input.orderId, 'A', 'cat-ben'));
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customer(input.orderId, 'C'));
      await untilMatch(input.orderId, 'the three answers applied', (s) => s.processedEventCount === 3);

      const { state } = await startByHand(input);
      const rechecked = await untilMatch(input.orderId, 'the order’s offer applied', (s) =>
        s.menus.some((m) => m.menuId === 'B'),
      );
      expect(rechecked.status).toBe('AwaitingConfirmations');
      expect(rechecked.ignoredByReason).toEqual({ 'caterer mismatch': 1, 'menu not on offer': 1 });
      expect(rechecked.menus).toEqual([
        expect.objectContaining({
          menuId: 'A',
          catererId: 'cat-anna',
          customerConfirmed: true,
          caterer: 'none',
        }),
        expect.objectContaining({
          menuId: 'B',
          catererId: 'cat-ben',
          customerConfirmed: false,
          caterer: 'none',
        }),
      ]);
      expect(rechecked.ignoredEvents.map((e) => [e.kind, e.menuId, e.reason.split(' (')[0]])).toEqual([
        ['CatererDeclinedMenu', 'A', 'caterer mismatch'],
        ['CustomerConfirmedMenu', 'C', 'menu not on offer'],
      ]);

      await publishMenuEvent(env.client, 'CatererConfirmedMenu', caterer(input.orderId, 'A', 'cat-anna'));
      const confirmed = await eventually('Confirmed', state, (s) => s.status === 'Confirmed', 30_000);
      expect(confirmed.confirmation?.menuId).toBe('A');
    });
  });
});

describe('an order naming no menus', () => {
  test('when an order with menus: [] starts after an event started its match, then it still offers, saying it names none, and the match learns the menus from the events and confirms it', async () => {
    const { env } = test_;
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput({ menus: [] });
    track(input.orderId);
    await h.run(async () => {
      await publishMenuEvent(env.client, 'CatererConfirmedMenu', caterer(input.orderId, 'X', 'cat-xena'));
      await untilMatch(input.orderId, 'the event held for the order', (s) => s.heldEvents?.length === 1);

      const { state } = await startByHand(input);
      const learnt = await untilMatch(
        input.orderId,
        'the order’s word applied',
        (s) => s.awaitingOffer === undefined,
      );
      expect(h.matchOffers.map((o) => o.offer)).toEqual([{ orderId: input.orderId }]);
      expect(learnt).toMatchObject({
        status: 'AwaitingConfirmations',
        menusOffered: false,
        menus: [{ menuId: 'X', catererId: 'cat-xena', caterer: 'confirmed', customerConfirmed: false }],
      });
      const validated = await eventually(
        'Validated, its offer made',
        state,
        (s) => s.status === 'Validated' && s.matchOffer !== undefined,
        30_000,
      );
      expect(validated.matchOffer?.how).toBe('offered');

      // A menu no one offered, learnt from the events: the customer's word agrees it.
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customer(input.orderId, 'Y'));
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customer(input.orderId, 'X'));
      const confirmed = await eventually('Confirmed', state, (s) => s.status === 'Confirmed', 30_000);
      expect(confirmed.confirmation?.menuId).toBe('X');
      expect(await matchHandle(input.orderId).result()).toMatchObject({
        status: 'Matched',
        chosenMenuId: 'X',
        menus: [expect.objectContaining({ menuId: 'X' }), expect.objectContaining({ menuId: 'Y' })],
      });
    });
  });
});

describe('an order whose match has already finished', () => {
  test('when the order starts after its match was decided, then its offer leaves the match as it ended and the order says match already finished', async () => {
    const { env } = test_;
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput({ menus });
    track(input.orderId);
    await h.run(async () => {
      // Decided before the order existed: agreed on A, its ConfirmOrder found no order.
      const { runId } = await startCateringMatch(env.client, { orderId: input.orderId, menus });
      await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customer(input.orderId, 'A'));
      await publishMenuEvent(env.client, 'CatererConfirmedMenu', caterer(input.orderId, 'A', 'cat-anna'));
      const decided = await matchHandle(input.orderId).result();
      expect(decided).toMatchObject({ status: 'OrderNotFound', chosenMenuId: 'A' });

      const { state } = await startByHand(input);
      const offered = await eventually(
        'the offer answered',
        state,
        (s) => s.matchOffer !== undefined,
        30_000,
      );
      expect(offered.matchOffer?.how).toBe('match already finished');
      expect(h.matchOffers).toHaveLength(1);
      // Never restarted: the one run there is is the decided one, as it ended.
      const match = await matchHandle(input.orderId).describe();
      expect(match.runId).toBe(runId);
      expect(match.status.name).toBe('COMPLETED');
      expect(await getMatchState(env.client, input.orderId)).toEqual(decided);
    });
  });
});

describe('conflicts are found from the order itself', () => {
  test('when an order started by hand is submitted again, then the same content returns it and other content is refused', async () => {
    const { env } = test_;
    const h = new OrderHarness(env, { matches: 'real' });
    const input = orderInput({ menus, validationPolicy: testPolicy });
    track(input.orderId);
    const { handle, state } = await startByHand(input);
    // The order itself answers, by the rule in its SubmitOrder validator, so its worker runs.
    await h.run(async () => {
      // Once its first task has run: a submission that reaches an order before that shares the task of its start,
      // which is how the order tells the submission it started with (update-with-start), and would be answered
      // created: true (`stored` in workflows/order-run.ts).
      await eventually('the first task run', state, () => true, 30_000);
      // The card as the CLI would send it (spaces stripped); the same order all the same.
      const again = await submitOrder(env.client, {
        ...input,
        card: { ...input.card, number: '4242424242424242' },
      });
      expect(again).toMatchObject({ orderId: input.orderId, created: false, acknowledged: true });
      await expect(submitOrder(env.client, { ...input, amount: 99 })).rejects.toBeInstanceOf(
        OrderConflictError,
      );
      await expect(
        submitOrder(env.client, { ...input, menus: [{ menuId: 'A', catererId: 'cat-ben' }] }),
      ).rejects.toBeInstanceOf(OrderConflictError);
      await eventually('Validated', stateOf(env, handle.workflowId), (s) => s.status === 'Validated', 30_000);
    });
  });
});
