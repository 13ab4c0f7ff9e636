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
import { workflowBundle } from '../test/support/environments';
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

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  await handle.result().catch(() => undefined);
  mkdirSync(historiesDir, { recursive: true });
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

  await recordSettingsAndRounds(env, faults);
  await recordHandOverAndDeadline(env);
  await recordOrderDeadline(env);
  await recordUpdates(env);
  await recordMatchPaths(env);
  await recordLateEvent(env);
  await recordLateConfirm(env);
}

/**
 * A match that an event started (with the default deadline) takes its order's confirmWithin from the offer and expires by it.
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

/** The order hands its menus over; the confirmation deadline. */
async function recordHandOverAndDeadline(env: TestWorkflowEnvironment): Promise<void> {
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

/** Settings named in the input, a policy the order refuses, a resume during a round, a match continued as new. */
async function recordSettingsAndRounds(env: TestWorkflowEnvironment, faults: FaultInjection): Promise<void> {
  const { client } = env;
  const orderHandle = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));

  // submitOrder now writes the whole effective policy into the input.
  const confirmed = order('confirmed-settings-in-input', '4242424242424242');
  await submitOrder(client, confirmed);
  await confirmOrder(client, confirmed.orderId, 'A', 'manual-confirm-1');
  await save('order-confirmed-settings-in-input', orderHandle(confirmed.orderId));

  // Started by hand with a policy the SDK refuses: InvalidOrder at once.
  const unusable = order('unusable-policy', '4242424242424242', {
    validationPolicy: { initialInterval: '1 minute', maximumInterval: '1 second' },
  });
  await client.workflow.start(WorkflowType.order, {
    workflowId: orderWorkflowId(unusable.orderId),
    taskQueue: TaskQueue.orders,
    args: [unusable],
  });
  await save('order-unusable-policy-refused', orderHandle(unusable.orderId));

  // A ResumeValidation during a re-activated round that stalls too.
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

  // A match that continues as new: its first and its last run.
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

/** OrderStored and every command answered by the order (updates, their validators); orders close at their outcome. */
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
 * An order confirmed by its match, an order started by hand without search attributes (it upserts them), and a match
 * that held events before its order's offer.
 */
async function recordMatchPaths(env: TestWorkflowEnvironment): Promise<void> {
  const { client } = env;
  const orderHandle = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));
  const matchHandle = (orderId: string) => client.workflow.getHandle(cateringMatchWorkflowId(orderId));
  const untilMatch = (orderId: string, done: (s: CateringMatchState) => boolean) =>
    eventually(`match ${orderId}`, () => getMatchState(client, orderId), done, 60_000);

  // Submitted as placeOrder does (its start sets the search attributes), confirmed by its match: closed.
  const matched = order(`confirmed-by-match`, '4242424242424242');
  await submitOrder(client, matched);
  await untilStatus(client, matched.orderId, 'Validated');
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(matched, 'A', 'l-c1'));
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(matched, 'A', 'l-k1'),
    catererId: 'caterer-anna',
  });
  await save(`order-confirmed-by-match-once-validated`, orderHandle(matched.orderId));
  await save(`catering-match-matched-once-validated`, matchHandle(matched.orderId));

  // Started by hand with no search attributes (as `temporal workflow start`): the order upserts them itself. Rejected.
  const byHand = order(`rejected-started-by-hand`, '4000000000000002');
  await client.workflow.start(WorkflowType.order, {
    workflowId: orderWorkflowId(byHand.orderId),
    taskQueue: TaskQueue.orders,
    args: [byHand],
  });
  await save(`order-rejected-started-by-hand`, orderHandle(byHand.orderId));

  // Events first: the match, started by an event, holds them until the order's local activity offers the menus.
  const late = order(`offer-to-running-match`, '4242424242424242');
  await publishMenuEvent(client, 'CustomerConfirmedMenu', ids(late, 'A', 'l-e1'));
  await untilMatch(late.orderId, (s) => s.heldEvents?.length === 1);
  await submitOrder(client, late);
  await untilMatch(late.orderId, (s) => s.menusOffered);
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    ...ids(late, 'A', 'l-e2'),
    catererId: 'caterer-anna',
  });
  await save(`order-offer-to-match-holding-events`, orderHandle(late.orderId));
  await save(`catering-match-held-events`, matchHandle(late.orderId));
}

/**
 * Makes workers on a task queue of their own, each new one with the same bundle: the late recordings stop one worker
 * and start the next across a deadline.
 */
async function workersOnQueue(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: object,
): Promise<() => Promise<Worker>> {
  const bundle = await workflowBundle();
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
 * A match whose last confirmation comes in the task where its deadline timer fires: its worker, on a task queue of its
 * own, is away from before the deadline until the caterer's event is in history behind the fire; the match expires.
 */
async function recordLateEvent(env: TestWorkflowEnvironment): Promise<void> {
  const { client } = env;
  const taskQueue = 'orders-late-event';
  const matchWorker = await workersOnQueue(
    env,
    taskQueue,
    createAlertActivities(new MemoryLedger<RaisedAlert>()),
  );
  const orderId = 'late-caterer';
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
  await (await matchWorker()).runUntil(save('catering-match-late-event-expired', handle));
}

/**
 * A validated order whose ConfirmOrder comes in the task where its confirmation deadline fires, recorded as
 * `recordLateEvent` does for the match: the command is refused and the order expires.
 */
async function recordLateConfirm(env: TestWorkflowEnvironment): Promise<void> {
  const { client } = env;
  const taskQueue = 'orders-late-confirm';
  const orderWorker = await workersOnQueue(env, taskQueue, {
    ...createAlertActivities(new MemoryLedger<RaisedAlert>()),
    ...createOrderNotificationActivities(new MemoryLedger<PublishedConfirmation>()),
    ...createMatchOfferActivities(env.client),
  });
  const late = order('late-confirm', '4242424242424242', {
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
  await (await orderWorker()).runUntil(save('order-late-confirm-expired', handle));
}

const ids = (o: OrderSubmitted, menuId: string, eventId: string) => ({ orderId: o.orderId, menuId, eventId });

/**
 * Payloads in plain JSON, unlike the app's encrypting processes: a committed fixture must replay on any clone, and
 * the test key ring is made per machine.
 */
const unknownSection = (name: string): never => {
  throw new Error(`no section ${name} to record`);
};

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
    // `-- order-deadline`, `-- updates`, `-- match-paths`, `-- late-event` or `-- late-confirm` records that section
    // alone; by default every path is run.
    const sections: Record<string, () => Promise<void>> = {
      'order-deadline': () => recordOrderDeadline(env),
      updates: () => recordUpdates(env),
      'match-paths': () => recordMatchPaths(env),
      'late-event': () => recordLateEvent(env),
      'late-confirm': () => recordLateConfirm(env),
    };
    const only = process.argv[2];
    const paths = only === undefined ? record(env, faults) : (sections[only] ?? unknownSection(only))();
    await orders.runUntil(validator.runUntil(paths));
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
