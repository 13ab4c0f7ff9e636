/**
 * Records the event histories that test/replay.test.ts replays against the current workflow code.
 * Runs each main path of Order and CateringMatch for real, on a fresh dev server with in-process workers,
 * and writes test/histories/<path>.json. Re-run after an intentional workflow change: `npm run record-histories`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FaultInjection } from '../activities/credit-card-validator';
import { publishMenuEvent, startCateringMatch } from '../src/catering-events';
import type { OrderStatus, OrderSubmitted } from '../src/shared';
import { cateringMatchWorkflowId, orderWorkflowId } from '../src/shared';
import { cancelOrder, confirmOrder, getOrderState, resumeValidation, submitOrder } from '../src/orders';
import { eventually } from '../test/support/eventually';
import { createAppWorkers } from '../test/support/app-workers';
import { createDevServerEnv } from '../test/support/environments';

const historiesDir = join(__dirname, '..', 'test', 'histories');
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
  // Short enough that each recorded order completes and its whole history is replayed.
  retainFor: '1 second',
  ...extra,
});

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  await handle.result().catch(() => undefined);
  const history = await handle.fetchHistory();
  // proto3's JSON mapping of the History message, as protobufjs writes and reads it (test/support/histories.ts).
  const { History } = temporal.api.history.v1;
  const json = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  writeFileSync(join(historiesDir, `${name}.json`), JSON.stringify(json, null, 1) + '\n');
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
}

const ids = (o: OrderSubmitted, menuId: string, eventId: string) => ({ orderId: o.orderId, menuId, eventId });

async function main(): Promise<void> {
  const env = await createDevServerEnv();
  const faults: FaultInjection = {};
  try {
    const { orders, validator } = await createAppWorkers(env, faults);
    await orders.runUntil(validator.runUntil(record(env, faults)));
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
