/**
 * Records the event histories that test/replay.test.ts replays against the current workflow code.
 * Runs each main path of Order and CateringMatch for real, on a fresh dev server with in-process workers,
 * and writes test/histories/release-2/<path>.json. Re-run after an intentional workflow change: `npm run record-histories`.
 * A history already there is kept as it is, never overwritten: it stands for workflows started by older code, which
 * must keep replaying. Record a changed path under a new name beside the old one.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FaultInjection } from '../activities/credit-card-validator';
import { getMatchState, publishMenuEvent, startCateringMatch } from '../src/clients/catering-match-client';
import type { CateringMatchState } from '../src/clients/catering-match-client';
import type { CreditCardValidationResult, OrderStatus, OrderSubmitted } from '../src/contract';
import {
  cateringMatchWorkflowId,
  orderWorkflowId,
  searchAttributeKeys,
  TaskQueue,
  WorkflowType,
} from '../src/contract';
import {
  cancelOrder,
  confirmOrder,
  getOrderState,
  resumeValidation,
  startOrder,
  submitOrder,
} from '../src/clients/order-client';
import { eventually } from '../test/support/eventually';
import { deadlineFiredAt } from '../test/support/histories';
import { getMatchStateQuery } from '../src/contract';
import { TestWorkflowEnvironment as Env } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createAlertActivities } from '../activities/alerts';
import type { RaisedAlert } from '../activities/alerts';
import { createCreditCardValidatorActivities } from '../activities/credit-card-validator';
import { createMatchOfferActivities } from '../activities/match-offer';
import { createOrderNotificationActivities } from '../activities/order-notifications';
import type { PublishedConfirmation } from '../activities/order-notifications';
import { failureConverterPath } from '../src/infra/codec/data-converter';
import { MemoryLedger } from '../src/infra/jsonl-ledger';
import { workflowBundle, workflowBundleWithShim } from '../test/support/environments';
import { temporalCliExecutable } from '../test/support/toolchain';

// Release 2's recordings; the files directly in test/histories/ are release 1's, replayed against its frozen code.
const historiesDir = join(__dirname, '..', 'test', 'histories', 'release-2');
const run = new Date().toISOString().replace(/\D/g, '').slice(0, 14);

const order = (orderId: string, cardNumber: string, extra: Partial<OrderSubmitted> = {}): OrderSubmitted => ({
  orderId: `${run}-${orderId}`,
  customerId: 'customer-ada',
  amount: 120,
  currency: 'EUR',
  card: { number: cardNumber, expiry: '12/39', holder: 'Ada Lovelace' },
  menus: [
    { menuId: 'A', catererId: 'caterer-anna' },
    { menuId: 'B', catererId: 'caterer-ben' },
  ],
  ...extra,
});

  mkdirSync(historiesDir, { recursive: true });
async function save(name: string, handle: WorkflowHandle): Promise<void> {
  await handle.result().catch(() => undefined);
  const file = join(historiesDir, `${name}.json`);
  if (existsSync(file)) {
    console.log(`kept ${name}: recorded by older code`);
    return;
  }
  const history = await handle.fetchHistory();
  // proto3's JSON mapping of the History message, as protobufjs writes and reads it (test/support/histories.ts).
  const { History } = temporal.api.history.v1;
  const json = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  writeFileSync(file, JSON.stringify(json, null, 1) + '\n');
  console.log(`recorded ${name}: ${history.events?.length ?? 0} events`);
}

const untilStatus = (client: Client, orderId: string, status: OrderStatus) =>
  eventually(
    `order ${orderId} ${status}`,
    () => getOrderState(client, orderId),
    (s) => s.status === status,
    60_000,
  );

async function record(env: TestWorkflowEnvironment, faults: FaultInjection): Promise<void> {
  const { client } = env;
  const orderHandle = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));
  const matchHandle = (orderId: string) => client.workflow.getHandle(cateringMatchWorkflowId(orderId));

  const confirmed = order('confirmed', '4242424242424242');
  await submitOrder(client, confirmed);
  // Sent before validation on purpose: the kept-then-applied path is the one most worth pinning.
  await confirmOrder(client, confirmed.orderId, 'A', 'manual-confirm-1');
  await save('order-confirmed', orderHandle(confirmed.orderId));

  const rejected = order('rejected', '4000000000000002');
  await submitOrder(client, rejected);
  await save('order-rejected', orderHandle(rejected.orderId));

  faults.refuse = true;
  const stalled = order('stalled', '5555555555554444', {
    validationPolicy: {
      maxAttempts: 2,
      initialInterval: '100 milliseconds',
      replyTimeout: '2 seconds',
      deliveryWindow: '5 seconds',
      reactivateAfter: '1 hour',
    },
  });
  await submitOrder(client, stalled);
  await untilStatus(client, stalled.orderId, 'ValidationStalled');
  faults.refuse = false;
  await resumeValidation(client, stalled.orderId);
  await untilStatus(client, stalled.orderId, 'Validated');
  await cancelOrder(client, stalled.orderId, 'customer changed plans');
  await save('order-stalled-resumed-cancelled', orderHandle(stalled.orderId));

  const matched = order('matched', '4111111111111111');
  await submitOrder(client, matched);
  await startCateringMatch(client, { orderId: matched.orderId, menus: matched.menus });
  const events = [
    () =>
      publishMenuEvent(client, 'CatererConfirmedMenu', {
        ...ids(matched, 'A', 'e1'),
        catererId: 'caterer-anna',
      }),
    () => publishMenuEvent(client, 'CustomerConfirmedMenu', ids(matched, 'B', 'e2')),
    () => publishMenuEvent(client, 'CustomerConfirmedMenu', ids(matched, 'A', 'e3')),
  ];
  for (const publish of events) await publish();
  await save('catering-match-matched', matchHandle(matched.orderId));
  await save('order-confirmed-by-match', orderHandle(matched.orderId));

  const expired = order('expired', '4111111111111111');
  await startCateringMatch(client, {
    orderId: expired.orderId,
    menus: expired.menus,
    confirmWithin: '2 seconds',
  });
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(expired, 'A', 'e1'));
  await save('catering-match-expired', matchHandle(expired.orderId));

  const declined = order('declined', '4111111111111111');
  await startCateringMatch(client, { orderId: declined.orderId, menus: declined.menus });
  await publishMenuEvent(client, 'CatererDeclinedMenu', {
    ...ids(declined, 'A', 'e1'),
    catererId: 'caterer-anna',
  });
  await publishMenuEvent(client, 'CatererDeclinedMenu', {
    ...ids(declined, 'B', 'e2'),
    catererId: 'caterer-ben',
  });
  await save('catering-match-no-menu-agreed', matchHandle(declined.orderId));

  await recordSince12(env, faults);
  await recordSince10(env);
  await recordBeforeLengthBounds(env);
  await recordOrderDeadline(env);
  await recordUpdates(env);
  await recordBeforePatches(env, faults);
  await recordLeanStart(env, 'offered-beside-validation');
  await recordLateEvent(env, true);
  await recordLateEvent(env, false);
  await recordLateConfirm(env, true);
  await recordLateConfirm(env, false);
}

/**
 * Recorded by the code before issue 21 gave every free-text field a length bound: an order, its commands and its
 * match's events with fields longer than today's bounds, all accepted and applied as they then were. Today's code
 * must replay them the same way (patch messages-length-bounded).
 */
async function recordBeforeLengthBounds(env: TestWorkflowEnvironment): Promise<void> {
  const { client } = env;
  const long = (prefix: string, length: number) => prefix + 'x'.repeat(length - prefix.length);
  const catererId = long('caterer-', 150);
  const oversized = order('oversized-fields', '4242424242424242', {
    customerId: long('customer-', 250),
    card: { number: '4242424242424242', expiry: '12/39', holder: long('Ada ', 250) },
    menus: [{ menuId: long('menu-', 150), catererId }],
  });
  const menuId = oversized.menus![0]!.menuId;
  await submitOrder(client, oversized);
  await eventually(
    `match ${oversized.orderId} offered`,
    () => getMatchState(client, oversized.orderId),
    (s) => s.menusOffered,
    60_000,
  );
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(oversized, menuId, long('e1-', 300)));
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(oversized, menuId, long('e2-', 300)),
    catererId,
  });
  await save(
    'catering-match-oversized-fields-before-bounds',
    client.workflow.getHandle(cateringMatchWorkflowId(oversized.orderId)),
  );
  await untilStatus(client, oversized.orderId, 'Confirmed');
  // By hand, after the match's own: a duplicate with an eventId longer than its bound, then a long reason.
  await confirmOrder(client, oversized.orderId, menuId, long('manual-', 300));
  await cancelOrder(client, oversized.orderId, long('too late: ', 1500));
  await save(
    'order-oversized-fields-before-bounds',
    client.workflow.getHandle(orderWorkflowId(oversized.orderId)),
  );
}

/**
 * A match that an event started (with the default deadline) takes its order's confirmWithin from the offer (patch
 * catering-match-takes-order-deadline) and expires by it.
 */
async function recordOrderDeadline(env: TestWorkflowEnvironment): Promise<void> {
  const { client } = env;
  const placed = order('deadline-from-order', '4242424242424242', { confirmWithin: '15 seconds' });
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(placed, 'A', `${placed.orderId}-c`));
  await submitOrder(client, placed);
  await save(
    'catering-match-takes-order-deadline',
    client.workflow.getHandle(cateringMatchWorkflowId(placed.orderId)),
  );
}

/** Paths added by issue 10, each behind its own patch: the order hands its menus over, the confirmation deadline. */
async function recordSince10(env: TestWorkflowEnvironment): Promise<void> {
  const { client } = env;
  const orderHandle = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));
  const matchHandle = (orderId: string) => client.workflow.getHandle(cateringMatchWorkflowId(orderId));
  const untilMatch = (orderId: string, done: (s: CateringMatchState) => boolean) =>
    eventually(`match ${orderId}`, () => getMatchState(client, orderId), done, 60_000);

  // Started by hand: the order starts its match with its menus; the wrong caterer is ignored (order-hands-menus-to-match).
  const handed = order('menus-handed-to-match', '4242424242424242');
  await client.workflow.start(WorkflowType.order, {
    workflowId: orderWorkflowId(handed.orderId),
    taskQueue: TaskQueue.orders,
    args: [handed],
  });
  await untilMatch(handed.orderId, (s) => s.menusOffered);
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(handed, 'A', 'e1'));
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(handed, 'A', 'e2'),
    catererId: 'caterer-ben',
  });
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(handed, 'A', 'e3'),
    catererId: 'caterer-anna',
  });
  await save('order-menus-offered-to-match-confirmed', orderHandle(handed.orderId));
  await save('catering-match-started-by-order-offer', matchHandle(handed.orderId));

  // Events first: the match holds them, the order's offer re-checks them (catering-match-awaits-order-offer).
  const late = order('order-after-events', '4242424242424242');
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(late, 'A', 'e1'));
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(late, 'A', 'e2'),
    catererId: 'caterer-ben',
  });
  await untilMatch(late.orderId, (s) => s.heldEvents?.length === 2);
  await submitOrder(client, late);
  await untilMatch(late.orderId, (s) => s.menusOffered);
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(late, 'A', 'e3'),
    catererId: 'caterer-anna',
  });
  await save('catering-match-held-events-rechecked', matchHandle(late.orderId));
  await save('order-offer-to-running-match', orderHandle(late.orderId));

  // Validated, never confirmed: Expired with an alert (order-confirmation-deadline).
  const expiring = order('expired', '4242424242424242', { confirmWithin: '2 seconds' });
  await submitOrder(client, expiring);
  await save('order-expired-unconfirmed', orderHandle(expiring.orderId));
  await save('catering-match-expired-with-order', matchHandle(expiring.orderId));

  // Commands sent by hand, malformed or for another order: refused and recorded (order-commands-checked).
  const checked = order('malformed-commands', '4242424242424242', { menus: [] });
  await submitOrder(client, checked);
  await untilStatus(client, checked.orderId, 'Validated');
  const raw = orderHandle(checked.orderId);
  await raw.signal('ConfirmOrder', { orderId: checked.orderId });
  await raw.signal('ConfirmOrder', { orderId: 'another-order', menuId: 'A' });
  await confirmOrder(client, checked.orderId, 'A', 'e1');
  await save('order-malformed-commands-refused', raw);
}

/** Paths added by issue 12, each behind its own patch in the workflows. */
async function recordSince12(env: TestWorkflowEnvironment, faults: FaultInjection): Promise<void> {
  const { client } = env;
  const orderHandle = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));

  // submitOrder now writes the whole effective policy into the input.
  const confirmed = order('confirmed-settings-in-input', '4242424242424242');
  await submitOrder(client, confirmed);
  await confirmOrder(client, confirmed.orderId, 'A', 'manual-confirm-1');
  await save('order-confirmed-settings-in-input', orderHandle(confirmed.orderId));

  // Started by hand with a policy the SDK refuses: InvalidOrder at once (patch order-input-checked-with-sdk-rules).
  const unusable = order('unusable-policy', '4242424242424242', {
    validationPolicy: { initialInterval: '1 minute', maximumInterval: '1 second' },
  });
  await client.workflow.start(WorkflowType.order, {
    workflowId: orderWorkflowId(unusable.orderId),
    taskQueue: TaskQueue.orders,
    args: [unusable],
  });
  await save('order-unusable-policy-refused', orderHandle(unusable.orderId));

  // A ResumeValidation during a re-activated round that stalls too (patch order-resume-deferred-during-round).
  let hangsLeft = 0;
  Object.defineProperty(faults, 'hang', { get: () => hangsLeft-- > 0, configurable: true });
  faults.refuse = true;
  const deferred = order('resume-deferred', '5555555555554444', {
    validationPolicy: {
      maxAttempts: 2,
      initialInterval: '100 milliseconds',
      replyTimeout: '2 seconds',
      deliveryWindow: '10 seconds',
      reactivateAfter: '1 hour',
    },
  });
  await submitOrder(client, deferred);
  await untilStatus(client, deferred.orderId, 'ValidationStalled');
  faults.refuse = false;
  hangsLeft = 2;
  await resumeValidation(client, deferred.orderId);
  await eventually(
    'the re-activated round running',
    () => getOrderState(client, deferred.orderId),
    (s) => s.validation.rounds === 2,
    60_000,
  );
  await resumeValidation(client, deferred.orderId);
  await untilStatus(client, deferred.orderId, 'Validated');
  await cancelOrder(client, deferred.orderId, 'customer changed plans');
  await save('order-resume-deferred-during-round', orderHandle(deferred.orderId));

  // A match that continues as new (patch catering-match-bounded-continue-as-new): its first and its last run.
  const chatty = order('match-continued', '4111111111111111');
  await submitOrder(client, chatty);
  const { runId: firstRunId } = await startCateringMatch(client, {
    orderId: chatty.orderId,
    menus: chatty.menus,
    maxHistoryEvents: 20,
  });
  for (let i = 0; i < 12; i++) {
    await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(chatty, 'B', `e${i}`));
    await eventually(
      `event e${i} applied`,
      () => client.workflow.getHandle(cateringMatchWorkflowId(chatty.orderId)).query(getMatchStateQuery),
      (s) => s.processedEventCount === i + 1,
      60_000,
    );
  }
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(chatty, 'B', 'caterer'),
    catererId: 'caterer-ben',
  });
  const matchId = cateringMatchWorkflowId(chatty.orderId);
  await save('catering-match-continued-as-new-first-run', client.workflow.getHandle(matchId, firstRunId));
  await save('catering-match-continued-as-new-last-run', client.workflow.getHandle(matchId));
  await save('order-confirmed-by-continued-match', orderHandle(chatty.orderId));
}

/**
 * Paths added by issue 19: OrderStored and every command answered by the order (updates, their validators), and
 * orders that close at their outcome (patch order-closes-at-outcome).
 */
async function recordUpdates(env: TestWorkflowEnvironment): Promise<void> {
  const { client } = env;
  const orderHandle = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));
  const refused = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a refusal');
      },
      (err: unknown) =>
        console.log(`  refused as expected: ${err instanceof Error ? err.message : String(err)}`),
    );

  // Submitted by update-with-start, submitted again, a conflict and malformed commands rejected (no events), a
  // duplicate and a refused command answered, then confirmed by the update: closed at once.
  const confirmed = order('confirmed-by-updates', '4242424242424242');
  await submitOrder(client, confirmed);
  await submitOrder(client, confirmed);
  await refused(submitOrder(client, { ...confirmed, amount: 121 }));
  await untilStatus(client, confirmed.orderId, 'Validated');
  await refused(
    orderHandle(confirmed.orderId).executeUpdate('CancelOrder', { args: [{ orderId: 'another-order' }] }),
  );
  await resumeValidation(client, confirmed.orderId);
  await refused(confirmOrder(client, confirmed.orderId, 'Z'));
  await confirmOrder(client, confirmed.orderId, 'A', 'update-confirm-1');
  await save('order-confirmed-by-updates-closed', orderHandle(confirmed.orderId));

  // Cancelled by the update while validated: closed at once.
  const cancelled = order('cancelled-by-update', '4242424242424242');
  await submitOrder(client, cancelled);
  await untilStatus(client, cancelled.orderId, 'Validated');
  await cancelOrder(client, cancelled.orderId, 'customer called');
  await save('order-cancelled-by-update-closed', orderHandle(cancelled.orderId));

  // Rejected: closed at once, with no retention timer.
  const rejected = order('rejected-closed', '4000000000000002');
  await submitOrder(client, rejected);
  await save('order-rejected-closed', orderHandle(rejected.orderId));

  // Confirmed by its match's ConfirmOrder signal, which a workflow sends (it cannot send an update): closed.
  const matched = order('confirmed-by-match-closed', '4242424242424242');
  await submitOrder(client, matched);
  await untilStatus(client, matched.orderId, 'Validated');
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(matched, 'A', 'u-c1'));
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(matched, 'A', 'u-k1'),
    catererId: 'caterer-anna',
  });
  await save('order-confirmed-by-match-closed', orderHandle(matched.orderId));
  await save(
    'catering-match-matched-order-closed',
    client.workflow.getHandle(cateringMatchWorkflowId(matched.orderId)),
  );
}

/**
 * Paths of orders and matches started with the head of their patch chain (workflows/patches.ts): one patch marker
 * each, no upsert of what the start set. Recorded first as `*-lean-start` (orderPatches.leanStart, the menus handed
 * over in a local activity), then as `*-offered-by-activity` (orderPatches.offersByActivity, a regular activity),
 * then as `*-offered-beside-validation` (orderPatches.offersBesideValidation: the offer scheduled beside the first
 * validation round).
 */
async function recordLeanStart(env: TestWorkflowEnvironment, suffix: string): Promise<void> {
  const { client } = env;
  const orderHandle = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));
  const matchHandle = (orderId: string) => client.workflow.getHandle(cateringMatchWorkflowId(orderId));
  const untilMatch = (orderId: string, done: (s: CateringMatchState) => boolean) =>
    eventually(`match ${orderId}`, () => getMatchState(client, orderId), done, 60_000);

  // Submitted as placeOrder does (its start sets the search attributes), confirmed by its match: closed.
  const matched = order(`confirmed-by-match-${suffix}`, '4242424242424242');
  await submitOrder(client, matched);
  await untilStatus(client, matched.orderId, 'Validated');
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(matched, 'A', 'l-c1'));
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(matched, 'A', 'l-k1'),
    catererId: 'caterer-anna',
  });
  await save(`order-confirmed-by-match-${suffix}`, orderHandle(matched.orderId));
  await save(`catering-match-matched-${suffix}`, matchHandle(matched.orderId));

  // Started by hand with no search attributes (as `temporal workflow start`): the order upserts them itself. Rejected.
  const byHand = order(`rejected-started-by-hand-${suffix}`, '4000000000000002');
  await client.workflow.start(WorkflowType.order, {
    workflowId: orderWorkflowId(byHand.orderId),
    taskQueue: TaskQueue.orders,
    args: [byHand],
  });
  await save(`order-rejected-started-by-hand-${suffix}`, orderHandle(byHand.orderId));

  // Events first: the match, started by an event, holds them until the order's local activity offers the menus.
  const late = order(`offer-to-running-match-${suffix}`, '4242424242424242');
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(late, 'A', 'l-e1'));
  await untilMatch(late.orderId, (s) => s.heldEvents?.length === 1);
  await submitOrder(client, late);
  await untilMatch(late.orderId, (s) => s.menusOffered);
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(late, 'A', 'l-e2'),
    catererId: 'caterer-anna',
  });
  await save(`order-offer-to-running-match-${suffix}`, orderHandle(late.orderId));
  await save(`catering-match-held-events-${suffix}`, matchHandle(late.orderId));
}

/**
 * Makes workers on a task queue of their own, each new one with the same bundle: today's workflows, or with
 * `beforePatch` (an id under test/fixtures/before-patch) answering false, as the code before that patch ran. The
 * late-event recordings stop one worker and start the next across a deadline.
 */
async function workersOnQueue(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  beforePatch: string | undefined,
  activities: object,
): Promise<() => Promise<Worker>> {
  const bundle = beforePatch
    ? await workflowBundleWithShim(
        require.resolve('../workflows'),
        require.resolve(`../test/fixtures/before-patch/${beforePatch}`),
      )
    : await workflowBundle();
  return () =>
    Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      dataConverter: { failureConverterPath },
      workflowBundle: bundle,
      activities,
    });
}

/** Until a deadline timer of the workflow has fired, its worker away. */
const timerFired = (handle: WorkflowHandle): Promise<unknown> =>
  eventually(
    'the deadline timer to fire',
    async () => (await handle.fetchHistory()).events ?? [],
    (events) => deadlineFiredAt(events) >= 0,
    30_000,
  );

/**
 * A match whose last confirmation comes in the task where its deadline timer fires (patch
 * catering-match-deadline-before-late-events): its worker, on a task queue of its own, is away from before the
 * deadline until the caterer's event is in history behind the fire. Before the patch (test/fixtures/before-patch) the
 * match applied the event and matched; with it, the match expires.
 */
async function recordLateEvent(env: TestWorkflowEnvironment, beforePatch: boolean): Promise<void> {
  const { client } = env;
  const taskQueue = `orders-late-event${beforePatch ? '-before-patch' : ''}`;
  const matchWorker = await workersOnQueue(
    env,
    taskQueue,
    beforePatch ? 'match-deadline-before-late-events' : undefined,
    createAlertActivities(new MemoryLedger<RaisedAlert>()),
  );
  const orderId = `late-caterer${beforePatch ? '-before-patch' : ''}`;
  const handle = await client.workflow.start(WorkflowType.cateringMatch, {
    workflowId: cateringMatchWorkflowId(orderId),
    taskQueue,
    args: [{ orderId, menus: [{ menuId: 'A', catererId: 'caterer-anna' }], confirmWithin: '3 seconds' }],
  });
  const customer = { orderId, menuId: 'A', eventId: `${orderId}-c` };
  await (
    await matchWorker()
  ).runUntil(async () => {
    await handle.signal('CustomerConfirmedMenu', customer);
    await eventually(
      'the customer confirmation applied',
      () => handle.query(getMatchStateQuery),
      (s) => s.processedEventCount === 1,
      30_000,
    );
  });
  await timerFired(handle);
  await handle.signal('CatererConfirmedMenu', {
    orderId,
    menuId: 'A',
    eventId: `${orderId}-k`,
    catererId: 'caterer-anna',
  });
  await (
    await matchWorker()
  ).runUntil(
    save(
      beforePatch ? 'catering-match-late-event-matched-before-patch' : 'catering-match-late-event-expired',
      handle,
    ),
  );
}

/**
 * A validated order whose ConfirmOrder comes in the task where its confirmation deadline fires (patch
 * order-confirm-by-before-late-commands), recorded as `recordLateEvent` does for the match. Before the patch the
 * order applied it and was confirmed; with it, the command is refused and the order expires.
 */
async function recordLateConfirm(env: TestWorkflowEnvironment, beforePatch: boolean): Promise<void> {
  const { client } = env;
  const taskQueue = `orders-late-confirm${beforePatch ? '-before-patch' : ''}`;
  const orderWorker = await workersOnQueue(
    env,
    taskQueue,
    beforePatch ? 'order-confirm-by-before-late-commands' : undefined,
    {
      ...createAlertActivities(new MemoryLedger<RaisedAlert>()),
      ...createOrderNotificationActivities(new MemoryLedger<PublishedConfirmation>()),
      ...createMatchOfferActivities(env.client),
    },
  );
  const late = order(`late-confirm${beforePatch ? '-before-patch' : ''}`, '4242424242424242', {
    menus: [],
    confirmWithin: '3 seconds',
  });
  const handle = await startOrder(client, late, { taskQueue });
  await (await orderWorker()).runUntil(untilStatus(client, late.orderId, 'Validated'));
  await timerFired(handle);
  await handle.signal('ConfirmOrder', {
    orderId: late.orderId,
    menuId: 'A',
    eventId: `${late.orderId}-late`,
  });
  await (
    await orderWorker()
  ).runUntil(
    save(beforePatch ? 'order-late-confirm-applied-before-patch' : 'order-late-confirm-expired', handle),
  );
}

/**
 * Orders started before a patch, recorded by today's workflows with that one `patched()` answering false and
 * recording no marker (test/fixtures/before-patch), on a task queue of their own: histories of the path each patch
 * changed, as the code before it ran them. test/upgrade.test.ts proves each one fails to replay with its change left
 * unguarded; test/replay.test.ts that today's code replays it.
 */
async function recordBeforePatches(env: TestWorkflowEnvironment, faults: FaultInjection): Promise<void> {
  const { client } = env;
  const orderHandle = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));
  const beforePatch = async (patchId: string, path: () => Promise<void>): Promise<void> => {
    const taskQueue = `orders-before-${patchId}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      dataConverter: { failureConverterPath },
      workflowBundle: await workflowBundleWithShim(
        require.resolve('../workflows'),
        require.resolve(`../test/fixtures/before-patch/${patchId}`),
      ),
      activities: {
        ...createAlertActivities(new MemoryLedger<RaisedAlert>()),
        ...createOrderNotificationActivities(new MemoryLedger<PublishedConfirmation>()),
        ...createMatchOfferActivities(env.client),
      },
    });
    currentTaskQueue = taskQueue;
    await worker.runUntil(path());
  };
  let currentTaskQueue = TaskQueue.orders as string;
  const start = (input: OrderSubmitted) => startOrder(client, input, { taskQueue: currentTaskQueue });

  // A ResumeValidation during a re-activated round that stalls too: dropped, the order re-activates only after
  // `reactivateAfter`.
  await beforePatch('order-resume-deferred-during-round', async () => {
    let hangsLeft = 0;
    Object.defineProperty(faults, 'hang', { get: () => hangsLeft-- > 0, configurable: true });
    faults.refuse = true;
    const dropped = order('resume-dropped-before-patch', '5555555555554444', {
      menus: [],
      validationPolicy: {
        maxAttempts: 2,
        initialInterval: '100 milliseconds',
        replyTimeout: '2 seconds',
        deliveryWindow: '10 seconds',
        reactivateAfter: '5 seconds',
      },
    });
    await start(dropped);
    await untilStatus(client, dropped.orderId, 'ValidationStalled');
    faults.refuse = false;
    hangsLeft = 2;
    await orderHandle(dropped.orderId).signal('ResumeValidation', { orderId: dropped.orderId });
    await eventually(
      'the re-activated round running',
      () => getOrderState(client, dropped.orderId),
      (s) => s.validation.rounds === 2,
      60_000,
    );
    await orderHandle(dropped.orderId).signal('ResumeValidation', { orderId: dropped.orderId });
    await untilStatus(client, dropped.orderId, 'Validated');
    await orderHandle(dropped.orderId).signal('CancelOrder', { orderId: dropped.orderId });
    await save('order-resume-dropped-during-round-before-patch', orderHandle(dropped.orderId));
  });

  // A ConfirmOrder sent by hand without its menu, to an order naming no menus: applied, as it then was.
  await beforePatch('order-commands-checked', async () => {
    const unchecked = order('command-unchecked-before-patch', '4242424242424242', { menus: [] });
    await start(unchecked);
    await untilStatus(client, unchecked.orderId, 'Validated');
    await orderHandle(unchecked.orderId).signal('ConfirmOrder', { orderId: unchecked.orderId });
    await save('order-malformed-command-applied-before-patch', orderHandle(unchecked.orderId));
  });

  // Started by hand with a retry policy the SDK refuses: taken, as it then was, and stalled with an unusable
  // policy at its first round; cancelled.
  await beforePatch('order-input-checked-with-sdk-rules', async () => {
    const lenient = order('unusable-policy-before-patch', '4242424242424242', {
      menus: [],
      validationPolicy: { initialInterval: '1 minute', maximumInterval: '1 second' },
    });
    await client.workflow.start(WorkflowType.order, {
      workflowId: orderWorkflowId(lenient.orderId),
      taskQueue: currentTaskQueue,
      args: [lenient],
    });
    await untilStatus(client, lenient.orderId, 'ValidationStalled');
    await orderHandle(lenient.orderId).signal('CancelOrder', { orderId: lenient.orderId });
    await save('order-unusable-policy-stalled-before-patch', orderHandle(lenient.orderId));
  });
}

const ids = (o: OrderSubmitted, menuId: string, eventId: string) => ({ orderId: o.orderId, menuId, eventId });

/**
 * Payloads in plain JSON, unlike the app's encrypting processes: a committed fixture must replay on any clone, and
 * the test key ring is made per machine.
 */
async function main(): Promise<void> {
  // Bundling first also installs the quiet runtime, which must come before the server's.
  const bundle = await workflowBundle();
  const env = await Env.createLocal({
    server: {
      executable: temporalCliExecutable(),
      searchAttributes: searchAttributeKeys,
      extraArgs: ['--log-level', 'error'],
    },
  });
  const faults: FaultInjection = {};
  try {
    const common = {
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      dataConverter: { failureConverterPath },
    };
    const orders = await Worker.create({
      ...common,
      taskQueue: TaskQueue.orders,
      workflowBundle: bundle,
      activities: {
        ...createAlertActivities(new MemoryLedger<RaisedAlert>()),
        ...createOrderNotificationActivities(new MemoryLedger<PublishedConfirmation>()),
        ...createMatchOfferActivities(env.client),
      },
    });
    const validator = await Worker.create({
      ...common,
      taskQueue: TaskQueue.creditCardValidation,
      activities: createCreditCardValidatorActivities({
        ledger: new MemoryLedger<CreditCardValidationResult>(),
        faults,
      }),
    });
    // `-- before-length-bounds`, `-- order-deadline`, `-- updates`, `-- before-patches`, `-- lean-start`, `-- late-event` or `-- late-confirm` records that section alone; by default every path is run.
    const only = process.argv[2];
    const paths =
      only === 'before-length-bounds'
        ? recordBeforeLengthBounds(env)
        : only === 'order-deadline'
          ? recordOrderDeadline(env)
          : only === 'updates'
            ? recordUpdates(env)
            : only === 'before-patches'
              ? recordBeforePatches(env, faults)
              : only === 'lean-start'
                ? recordLeanStart(env, 'offered-beside-validation')
                : only === 'late-event'
                  ? recordLateEvent(env, true).then(() => recordLateEvent(env, false))
                  : only === 'late-confirm'
                    ? recordLateConfirm(env, true).then(() => recordLateConfirm(env, false))
                    : record(env, faults);
    await orders.runUntil(validator.runUntil(paths));
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
