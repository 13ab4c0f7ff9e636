import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { getMatchState, publishMenuEvent } from '../src/clients/catering-match-client';
import {
  cateringMatchWorkflowId,
  ErrorType,
  getMatchStateQuery,
  MatchStatusAttribute,
  orderWorkflowId,
  TaskQueue,
} from '../src/contract';
import type { CateringMatchInput, CateringMatchState, MenuOffer } from '../src/contract';
import { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import {
  confirmOrdersReceived,
  deliver,
  matchTestBundle,
  sendRaw,
  startOrderRecorder,
  useMatchWorker,
} from './support/catering-match';
import { testDataConverter } from './support/codec';
import { createTestWorker, createTimeSkippingEnv, uniqueId } from './support/environments';

// expect.any() is typed `any`; held as unknown so the matchers stay type-safe around it.
const anyString: unknown = expect.any(String);

const match = useMatchWorker(createTimeSkippingEnv);
const alerts = match.alerts;
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = match.env;
});

type MatchHandle = WorkflowHandle<typeof CateringMatch>;

async function startMatch(
  input: CateringMatchInput,
  taskQueue: string = TaskQueue.orders,
): Promise<MatchHandle> {
  return env.client.workflow.start(CateringMatch, {
    workflowId: cateringMatchWorkflowId(input.orderId),
    taskQueue,
    args: [input],
  });
}

/** Runs a second worker on a task queue of its own while `body` runs, for matches that must wait for it. */
async function withPausedQueueWorker<T>(taskQueue: string, body: () => Promise<T>): Promise<T> {
  const paused = await createTestWorker(env, {
    taskQueue,
    workflowBundle: await matchTestBundle(),
    activities: alerts.activities,
  });
  return paused.runUntil(body);
}

const customer = (orderId: string, menuId: string) => ({ orderId, menuId, eventId: uniqueId('customer') });
const caterer = (orderId: string, menuId: string, catererId: string) => ({
  orderId,
  menuId,
  catererId,
  eventId: uniqueId('caterer'),
});

const twoMenus: MenuOffer[] = [
  { menuId: 'A', catererId: 'chef-a' },
  { menuId: 'B', catererId: 'chef-b' },
];

describe('the reference scenario: customer and caterer confirm the same menu', () => {
  const facts = ['customer', 'caterer'] as const;
  const permutations = [facts, [...facts].reverse()] as const;
  const cases = permutations.flatMap((order) =>
    (['offered at start', 'learnt from events'] as const).flatMap((menus) =>
      (['while the match runs', 'before any worker runs'] as const).map((timing) => ({
        order,
        menus,
        timing,
      })),
    ),
  );

  it.each(cases)(
    'when $order.0 then $order.1 confirm, each event twice, menus $menus, delivered $timing, then exactly one ConfirmOrder',
    async ({ order, menus, timing }) => {
      const orderId = uniqueId('order');
      await startOrderRecorder(env.client, orderId);
      // Buffered delivery: the match's own task queue has no worker until all four signals are in history.
      const taskQueue = timing === 'before any worker runs' ? uniqueId('paused-queue') : TaskQueue.orders;
      const handle = await startMatch(
        {
          orderId,
          // Learnt from events: the order names no menus (it says so when it starts the match).
          ...(menus === 'offered at start'
            ? { menus: [{ menuId: 'A', catererId: 'chef-a' }] }
            : { learnMenusFromEvents: true }),
        },
        taskQueue,
      );
      const events = order.map((who) =>
        who === 'customer'
          ? { kind: 'CustomerConfirmedMenu' as const, event: customer(orderId, 'A') }
          : { kind: 'CatererConfirmedMenu' as const, event: caterer(orderId, 'A', 'chef-a') },
      );
      const [first, second] = events as [(typeof events)[number], (typeof events)[number]];

      let final: CateringMatchState;
      if (timing === 'before any worker runs') {
        for (const { kind, event } of [first, first, second, second]) await sendRaw(handle, kind, event);
        final = await withPausedQueueWorker(taskQueue, () => handle.result());
      } else {
        final = await (async () => {
          await deliver(handle, first.kind, first.event);
          const afterDuplicate = await deliver(handle, first.kind, first.event);
          expect(afterDuplicate.status).toBe('AwaitingConfirmations');
          expect(afterDuplicate.processedEventCount).toBe(1);
          await deliver(handle, second.kind, second.event);
          return handle.result();
        })();
        // The second event's duplicate arrives after the match finished: the publisher is told so.
        await expect(publishMenuEvent(env.client, second.kind, second.event)).resolves.toMatchObject({
          outcome: 'ignored',
          status: 'Matched',
        });
      }

      expect(final).toMatchObject({ status: 'Matched', chosenMenuId: 'A', processedEventCount: 2 });
      expect(final.ignoredByReason['duplicate event']).toBe(timing === 'before any worker runs' ? 2 : 1);
      expect(await confirmOrdersReceived(env.client, orderId)).toEqual([
        { orderId, menuId: 'A', eventId: `catering-match-${orderId}:confirm` },
      ]);
      expect(alerts.for(orderId)).toEqual([]);
    },
  );
});

describe('correlation', () => {
  it('when events for other menus, other caterers and other orders are interleaved, then only this order’s agreed menu is confirmed', async () => {
    const orderId = uniqueId('order');
    const otherOrderId = uniqueId('other-order');
    await startOrderRecorder(env.client, orderId);
    await startOrderRecorder(env.client, otherOrderId);
    const handle = await startMatch({ orderId, menus: twoMenus });

    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'B'));
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-b'));
    await deliver(handle, 'CustomerConfirmedMenu', customer(otherOrderId, 'A'));
    await deliver(handle, 'CatererConfirmedMenu', caterer(otherOrderId, 'A', 'chef-a'));
    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'Z'));
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'Z', 'chef-a'));
    const midway = await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a'));
    expect(midway.status).toBe('AwaitingConfirmations');
    expect(midway.menus).toMatchObject([
      { menuId: 'A', customerConfirmed: false, caterer: 'confirmed' },
      { menuId: 'B', customerConfirmed: true, caterer: 'none' },
    ]);
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'B', 'chef-b'));
    const final = await handle.result();

    expect(final).toMatchObject({ status: 'Matched', chosenMenuId: 'B', processedEventCount: 3 });
    expect(final.ignoredByReason).toEqual({
      'caterer mismatch': 1,
      'other order': 2,
      'menu not on offer': 2,
    });
    expect(final.ignoredEvents.map((e) => [e.reason, e.orderId, e.menuId])).toEqual([
      ['caterer mismatch', orderId, 'A'],
      ['other order', otherOrderId, 'A'],
      ['other order', otherOrderId, 'A'],
      ['menu not on offer', orderId, 'Z'],
      ['menu not on offer', orderId, 'Z'],
    ]);
    expect(await confirmOrdersReceived(env.client, orderId)).toEqual([
      { orderId, menuId: 'B', eventId: `catering-match-${orderId}:confirm` },
    ]);
    expect(await confirmOrdersReceived(env.client, otherOrderId)).toEqual([]);
    // Determinism, right after a live run: the recorded history replays against the current code.
    await Worker.runReplayHistory(
      { workflowBundle: await matchTestBundle(), dataConverter: testDataConverter() },
      await handle.fetchHistory(),
    );
  });

  it('when menus are learnt from events, then the first caterer to answer owns the menu', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, learnMenusFromEvents: true });

    await deliver(handle, 'CatererDeclinedMenu', {
      ...caterer(orderId, 'A', 'chef-1'),
      reason: 'fully booked',
    });
    const ignored = await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-2'));
    expect(ignored.menus).toMatchObject([{ menuId: 'A', catererId: 'chef-1', caterer: 'declined' }]);
    expect(ignored.status).toBe('AwaitingConfirmations');
    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-1'));
    const final = await handle.result();

    expect(final).toMatchObject({
      status: 'Matched',
      chosenMenuId: 'A',
      ignoredByReason: { 'caterer mismatch': 1 },
    });
    expect(await confirmOrdersReceived(env.client, orderId)).toHaveLength(1);
  });

  it('when signal payloads are malformed, then they are recorded as rejected and the match carries on', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, menus: twoMenus });

    await deliver(handle, 'CustomerConfirmedMenu', { orderId, eventId: 'no-menu' });
    await deliver(handle, 'CatererConfirmedMenu', { orderId, menuId: 'A', catererId: 'chef-a' });
    await deliver(handle, 'CatererDeclinedMenu', { orderId, menuId: 'A', eventId: 'no-caterer' });
    await deliver(handle, 'CustomerConfirmedMenu', null);
    const state = await deliver(handle, 'CustomerConfirmedMenu', 'A');
    expect(state).toMatchObject({
      status: 'AwaitingConfirmations',
      rejectedEventCount: 5,
      processedEventCount: 0,
    });
    expect(state.rejectedEvents.map((e) => e.reason)).toEqual([
      expect.stringContaining('menuId'),
      expect.stringContaining('eventId'),
      expect.stringContaining('catererId'),
      expect.stringContaining('must be an object'),
      expect.stringContaining('must be an object'),
    ]);
    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a'));
    const final = await handle.result();

    expect(final).toMatchObject({ status: 'Matched', chosenMenuId: 'A', rejectedEventCount: 5 });
  });
});

describe('declines', () => {
  it('when a caterer declines and then confirms, then the confirmation reinstates the menu', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, menus: twoMenus });

    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    const declined = await deliver(handle, 'CatererDeclinedMenu', {
      ...caterer(orderId, 'A', 'chef-a'),
      reason: 'no staff',
    });
    expect(declined.status).toBe('AwaitingConfirmations');
    expect(declined.menus[0]).toMatchObject({ caterer: 'declined', declineReason: 'no staff' });
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a'));
    const final = await handle.result();

    expect(final).toMatchObject({ status: 'Matched', chosenMenuId: 'A' });
    expect(final.menus[0]).not.toHaveProperty('declineReason');
    expect(await confirmOrdersReceived(env.client, orderId)).toEqual([
      { orderId, menuId: 'A', eventId: `catering-match-${orderId}:confirm` },
    ]);
  });

  it('when a caterer confirms and then declines, then the decline withdraws the confirmation', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, menus: twoMenus });

    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a'));
    await deliver(handle, 'CatererDeclinedMenu', caterer(orderId, 'A', 'chef-a'));
    const state = await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    expect(state.status).toBe('AwaitingConfirmations');
    expect(await confirmOrdersReceived(env.client, orderId)).toEqual([]);
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'B', 'chef-b'));
    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'B'));
    const final = await handle.result();

    expect(final).toMatchObject({ status: 'Matched', chosenMenuId: 'B' });
    expect(await confirmOrdersReceived(env.client, orderId)).toEqual([
      { orderId, menuId: 'B', eventId: `catering-match-${orderId}:confirm` },
    ]);
  });

  it('when every offered menu is declined, then the match ends NoMenuAgreed with one alert and no ConfirmOrder', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, menus: twoMenus });

    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    await deliver(handle, 'CatererDeclinedMenu', caterer(orderId, 'A', 'chef-a'));
    await deliver(handle, 'CatererDeclinedMenu', caterer(orderId, 'B', 'chef-b'));
    const final = await handle.result();

    expect(final).toMatchObject({ status: 'NoMenuAgreed' });
    expect(final.chosenMenuId).toBeUndefined();
    expect(alerts.for(orderId)).toEqual([
      { alertId: `${orderId}:no-menu-agreed`, kind: 'NoMenuAgreed', orderId, message: anyString },
    ]);
    expect(await confirmOrdersReceived(env.client, orderId)).toEqual([]);
    expect((await handle.describe()).typedSearchAttributes.get(MatchStatusAttribute)).toBe('NoMenuAgreed');
  });

  it('when menus are learnt from events and the caterer declines, then only the deadline ends the match', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, learnMenusFromEvents: true, confirmWithin: '1 day' });

    const state = await deliver(handle, 'CatererDeclinedMenu', caterer(orderId, 'A', 'chef-a'));
    expect(state.status).toBe('AwaitingConfirmations');
    const final = await handle.result();

    expect(final.status).toBe('Expired');
    expect(alerts.for(orderId).map((a) => a.kind)).toEqual(['MatchExpired']);
  });
});

describe('the deadline', () => {
  it('when seven days pass without a match, then it expires in well under a second and tells operations once', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, menus: twoMenus });

    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    const started = Date.now();
    const final = await handle.result();
    const wallMs = Date.now() - started;

    expect(wallMs).toBeLessThan(1000);
    expect(final.status).toBe('Expired');
    expect(final.outcomeReason).toContain(final.deadline);
    expect(Date.parse(final.deadline) - Date.parse(final.startedAt)).toBe(7 * 24 * 3600_000);
    expect(Date.parse(final.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(final.deadline));
    expect(alerts.for(orderId)).toEqual([
      { alertId: `${orderId}:match-expired`, kind: 'MatchExpired', orderId, message: anyString },
    ]);
    expect(await confirmOrdersReceived(env.client, orderId)).toEqual([]);
    await expect(
      publishMenuEvent(env.client, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a')),
    ).resolves.toMatchObject({ outcome: 'ignored', status: 'Expired' });
  });

  it('when both confirmations arrive just before the deadline, then the match is made', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, menus: twoMenus, confirmWithin: '2 days' });

    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    await env.sleep('47 hours');
    const state = await handle.query(getMatchStateQuery);
    expect(state.status).toBe('AwaitingConfirmations');
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a'));
    const final = await handle.result();

    expect(final).toMatchObject({ status: 'Matched', chosenMenuId: 'A' });
    expect(alerts.for(orderId)).toEqual([]);
  });
});

describe('the order workflow', () => {
  it('when no order workflow exists, then the match ends OrderNotFound and tells operations once', async () => {
    const orderId = uniqueId('order');
    const handle = await startMatch({ orderId, menus: twoMenus });

    await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a'));
    const final = await handle.result();

    expect(final).toMatchObject({ status: 'OrderNotFound', chosenMenuId: 'A' });
    expect(final.confirmOrder).toBeUndefined();
    expect(final.outcomeReason).toContain(orderWorkflowId(orderId));
    expect(alerts.for(orderId)).toEqual([
      { alertId: `${orderId}:order-not-found`, kind: 'OrderNotFound', orderId, message: anyString },
    ]);
    expect((await handle.describe()).typedSearchAttributes.get(MatchStatusAttribute)).toBe('OrderNotFound');
  });

  it('when the order workflow has already closed, then the match ends OrderNotFound', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    await env.client.workflow.getHandle(orderWorkflowId(orderId)).terminate('closed for the test');
    // With the menus given at start: a match that has to wait for its order's offer would wait for a closed order's
    // offer until its deadline instead (see the offer tests).
    const handle = await startMatch({ orderId, menus: twoMenus });
    await sendRaw(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    await sendRaw(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a'));

    const final = await handle.result();

    expect(final.status).toBe('OrderNotFound');
    expect(alerts.for(orderId).map((a) => a.kind)).toEqual(['OrderNotFound']);
  });
});

describe('visibility', () => {
  it('when the match runs and completes, then getState, MatchStatus and the details follow each transition', async () => {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const handle = await startMatch({ orderId, menus: twoMenus });

    const state = await deliver(handle, 'CustomerConfirmedMenu', customer(orderId, 'A'));
    expect(state).toMatchObject({
      orderId,
      status: 'AwaitingConfirmations',
      menusOffered: true,
      processedEventIds: [anyString],
      processedEventCount: 1,
      ignoredEventCount: 0,
      rejectedEventCount: 0,
    });
    expect(await getMatchState(env.client, orderId)).toEqual(state);
    expect((await handle.describe()).typedSearchAttributes.get(MatchStatusAttribute)).toBe(
      'AwaitingConfirmations',
    );
    await deliver(handle, 'CatererConfirmedMenu', caterer(orderId, 'A', 'chef-a'));
    await handle.result();

    const final = await getMatchState(env.client, orderId);
    expect(final.confirmOrder).toEqual({
      eventId: `catering-match-${orderId}:confirm`,
      sentAt: anyString,
    });
    expect(final.finishedAt).toBeDefined();
    expect((await handle.describe()).typedSearchAttributes.get(MatchStatusAttribute)).toBe('Matched');
  });
});

describe('input', () => {
  it.each<[string, unknown]>([
    ['orderId', { orderId: '' }],
    ['menus', { orderId: 'x', menus: [] }],
    [
      'menus[1].menuId',
      {
        orderId: 'x',
        menus: [
          { menuId: 'A', catererId: 'c' },
          { menuId: 'A', catererId: 'd' },
        ],
      },
    ],
    ['menus[0].catererId', { orderId: 'x', menus: [{ menuId: 'A' }] }],
    ['confirmWithin', { orderId: 'x', confirmWithin: -5 }],
  ])(
    'when %s is invalid, then the match fails at once with a non-retryable InvalidMatch',
    async (field, input) => {
      const handle = await env.client.workflow.start(CateringMatch, {
        workflowId: cateringMatchWorkflowId(uniqueId('invalid')),
        taskQueue: TaskQueue.orders,
        args: [input as CateringMatchInput],
      });

      const failure = await handle.result().catch((err: unknown) => err);

      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect(cause).toMatchObject({ type: ErrorType.InvalidMatch, nonRetryable: true, details: [{ field }] });
      expect((cause as ApplicationFailure).message).toContain(field);
    },
  );
});
