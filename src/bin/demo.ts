import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { getMatchState, publishMenuEvent } from '../clients/catering-match-client';
import { connectClient } from '../clients/connection';
import { dataDir } from '../infra/config';
import { getOrderState, submitOrder } from '../clients/order-client';
import { placeOrder } from '../clients/place-order';
import type { OrderSubmitted } from '../contract';

/** The quick start's sample orders; `before-validator` runs while the validator is not yet up. */

const runFile = join(dataDir(), 'demo-run.json');

const card = (number: string) => ({ number, expiry: '12/39', holder: 'Ada Lovelace' });

function order(orderId: string, customerId: string, amount: number, cardNumber: string): OrderSubmitted {
  return {
    orderId,
    customerId,
    amount,
    currency: 'EUR',
    card: card(cardNumber),
    menus: [
      { menuId: 'A', catererId: 'caterer-anna' },
      { menuId: 'B', catererId: 'caterer-ben' },
    ],
  };
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(500);
  }
}

async function beforeValidator(client: Client): Promise<void> {
  const runId = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  mkdirSync(dataDir(), { recursive: true });
  writeFileSync(runFile, JSON.stringify({ runId }));
  const stored = await submitOrder(client, order(`${runId}-waits`, 'customer-grace', 80, '4111111111111111'));
  const state = await getOrderState(client, stored.orderId);
  console.log(`order ${stored.orderId}: stored while the validator is down -> ${state.status}`);
}

async function main(): Promise<void> {
  const client = await connectClient();
  try {
    if (process.argv[2] === 'before-validator') return await beforeValidator(client);
    const { runId } = JSON.parse(readFileSync(runFile, 'utf8')) as { runId: string };

    const { order: matched } = await placeOrder(
      client,
      order(`${runId}-matched`, 'customer-ada', 240.5, '4242424242424242'),
    );
    const events = [
      publishMenuEvent(client, 'CustomerConfirmedMenu', {
        orderId: matched.orderId,
        menuId: 'A',
        eventId: `${runId}-1`,
      }),
      publishMenuEvent(client, 'CatererDeclinedMenu', {
        orderId: matched.orderId,
        menuId: 'B',
        catererId: 'caterer-ben',
        eventId: `${runId}-2`,
      }),
      publishMenuEvent(client, 'CatererConfirmedMenu', {
        orderId: matched.orderId,
        menuId: 'A',
        catererId: 'caterer-anna',
        eventId: `${runId}-3`,
      }),
    ];
    for (const event of events) await event;

    const declined = await submitOrder(
      client,
      order(`${runId}-declined`, 'customer-alan', 99, '4000000000000002'),
    );

    const { order: unanswered } = await placeOrder(client, {
      ...order(`${runId}-unanswered`, 'customer-edsger', 60, '5555555555554444'),
      confirmWithin: '10 minutes',
    });
    await publishMenuEvent(client, 'CustomerConfirmedMenu', {
      orderId: unanswered.orderId,
      menuId: 'B',
      eventId: `${runId}-4`,
    });

    const settled = (status: string) => status !== 'Pending' && status !== 'ValidationStalled';
    const rows: [string, string, string][] = [];
    for (const [orderId, story] of [
      [`${runId}-waits`, 'submitted while the validator was down'],
      [matched.orderId, 'menu A confirmed by customer and caterer'],
      [declined.orderId, 'blocklisted card'],
      [unanswered.orderId, 'caterer never answers'],
    ] as const) {
      const want = orderId === matched.orderId ? (s: string) => s === 'Confirmed' : settled;
      const state = await waitFor(
        orderId,
        () => getOrderState(client, orderId),
        (s) => want(s.status),
      );
      const reason = state.status === 'Rejected' ? ` (${state.validation?.reason ?? 'declined'})` : '';
      rows.push([orderId, story, `${state.status}${reason}`]);
    }
    const match = await getMatchState(client, unanswered.orderId);
    rows.push([
      `catering-match-${unanswered.orderId}`,
      'caterer never answers',
      `${match.status} until ${match.deadline}`,
    ]);

    console.log('\nsample orders');
    for (const [id, story, outcome] of rows) console.log(`  ${id.padEnd(44)} ${story.padEnd(42)} ${outcome}`);
  } finally {
    await client.connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
