import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createAlertActivities } from '../activities/alerts';
import type { RaisedAlert } from '../activities/alerts';
import { createMatchOfferActivities } from '../activities/match-offer';
import { createOrderNotificationActivities } from '../activities/order-notifications';
import type { PublishedConfirmation } from '../activities/order-notifications';
import { publishMenuEvent, startCateringMatch } from '../src/clients/catering-match-client';
import { MemoryLedger } from '../src/infra/jsonl-ledger';
import { cancelOrder, getOrderState, resumeValidation, submitOrder } from '../src/clients/order-client';
import { placeOrder } from '../src/clients/place-order';
import { openSqliteLedger } from '../src/infra/validator-ledger';
import type { CreditCard, OrderStatus, OrderSubmitted } from '../src/contract';
import { cateringMatchWorkflowId, orderWorkflowId, TaskQueue } from '../src/contract';
import { AppProcess, waitForPoller } from './support/app-processes';
import { startCodecServer } from './support/codec-server';
import { eventually } from './support/eventually';
import { createDevServerEnv, createTestWorker, uniqueId } from './support/environments';
import { startOrderArgs, temporalCliPath } from './support/toolchain';

const run = promisify(execFile);

/**
 * Card data must never be readable where Temporal keeps it. Every path an order and its match can take, then each
 * raw history read as anyone with access to the server reads it: `temporal workflow show -o json`, no codec.
 */
describe('no card data in history, ledgers or answers', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let codec: Awaited<ReturnType<typeof startCodecServer>>;
  let orderWorker: Worker;
  let orderWorkerRunning: Promise<void>;
  let validator: AppProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'no-leak-'));
  const batch = uniqueId('leak');
  const workflowIds: string[] = [];

  // Distinct per path, so that a leak names the path it came from.
  const cards: Record<string, CreditCard> = {
    confirmed: { number: '4242 4242 4242 4242', expiry: '11/38', holder: 'Hedy Lamarr' },
    blocked: { number: '4000000000000002', expiry: '10/37', holder: 'Alan Turing' },
    expired: { number: '5555-5555-5555-4444', expiry: '01/21', holder: 'Grace Hopper' },
    malformed: { number: '4242 4242 4242 42X2', expiry: '09/36', holder: 'Katherine Johnson' },
    stalled: { number: '378282246310005', expiry: '08/35', holder: 'Margaret Hamilton' },
    byHand: { number: '6011111111111117', expiry: '07/34', holder: 'Ada Lovelace' },
    submittedByHand: { number: '5105105105105100', expiry: '06/33', holder: 'Barbara Liskov' },
    invalidOrder: { number: '3530111333300000', expiry: '13/99', holder: 'Radia Perlman' },
  };
  const secretsOf = (card: CreditCard): string[] => [
    card.number,
    card.number.replace(/[\s-]/g, ''),
    card.expiry,
    card.holder,
  ];
  const allSecrets = Object.values(cards).flatMap(secretsOf);

  const order = (path: string, overrides: Partial<OrderSubmitted> = {}): OrderSubmitted => ({
    orderId: `${batch}-${path}`,
    customerId: `customer-${path}`,
    amount: 99.5,
    currency: 'EUR',
    card: cards[path]!,
    menus: [
      { menuId: 'A', catererId: 'caterer-anna' },
      { menuId: 'B', catererId: 'caterer-ben' },
    ],
    ...overrides,
  });

  const statusOf = (orderId: string, status: OrderStatus) =>
    eventually(
      `order ${orderId} ${status}`,
      () => getOrderState(client, orderId),
      (s) => s.status === status,
      60_000,
    );

  const temporal = async (...args: string[]): Promise<string> =>
    (await run(temporalCliPath(), [...args, '--address', env.address], { maxBuffer: 64 * 1024 * 1024 }))
      .stdout;

  beforeAll(async () => {
    codec = await startCodecServer();
    env = await createDevServerEnv();
    client = env.client;
    orderWorker = await createTestWorker(env, {
      activities: {
        ...createAlertActivities(new MemoryLedger<RaisedAlert>()),
        ...createOrderNotificationActivities(new MemoryLedger<PublishedConfirmation>()),
        ...createMatchOfferActivities(env.client),
      },
    });
    orderWorkerRunning = orderWorker.run();
    // The real validator process, so its real ledger and answer files are what gets read.
    validator = new AppProcess('validator', {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
    });
  });

  afterAll(async () => {
    await validator?.stop();
    orderWorker?.shutdown();
    await orderWorkerRunning;
    await env?.teardown();
    await codec?.close();
  });

  test('when orders and matches take every path, then no raw history holds a card number, expiry or holder', async () => {
    // While no validator polls: the round runs out and the order stalls, then resumes once it is back.
    const stalled = order('stalled', {
      validationPolicy: { replyTimeout: '1 second', deliveryWindow: '2 seconds', maxAttempts: 2 },
    });
    await submitOrder(client, stalled);
    await statusOf(stalled.orderId, 'ValidationStalled');
    validator.start();
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
    await resumeValidation(client, stalled.orderId);
    await statusOf(stalled.orderId, 'Validated');
    await cancelOrder(client, stalled.orderId, 'customer called');
    await statusOf(stalled.orderId, 'Cancelled');

    // Confirmed, with its match Matched.
    const confirmed = order('confirmed');
    await placeOrder(client, confirmed);
    const base = { orderId: confirmed.orderId, menuId: 'A' };
    await publishMenuEvent(client, 'CustomerConfirmedMenu', { ...base, eventId: `${batch}-c1` });
    await publishMenuEvent(client, 'CatererConfirmedMenu', {
      ...base,
      catererId: 'caterer-anna',
      eventId: `${batch}-c2`,
    });
    await statusOf(confirmed.orderId, 'Confirmed');

    // Rejected by the issuer, its match ending NoMenuAgreed; rejected as expired; rejected as malformed card data.
    const blocked = order('blocked');
    await placeOrder(client, blocked);
    for (const menuId of ['A', 'B']) {
      await publishMenuEvent(client, 'CatererDeclinedMenu', {
        orderId: blocked.orderId,
        menuId,
        catererId: menuId === 'A' ? 'caterer-anna' : 'caterer-ben',
        reason: 'fully booked',
        eventId: `${batch}-d-${menuId}`,
      });
    }
    await statusOf(blocked.orderId, 'Rejected');
    const expired = order('expired', { menus: [] });
    await submitOrder(client, expired);
    await statusOf(expired.orderId, 'Rejected');
    const malformed = order('malformed', { menus: [] });
    await submitOrder(client, malformed);
    const rejectedMalformed = await statusOf(malformed.orderId, 'Rejected');
    expect(rejectedMalformed.validation.outcome).toBe('InvalidCardData');

    // A match that expires.
    const expiring = `${batch}-expiring`;
    await startCateringMatch(client, {
      orderId: expiring,
      menus: [{ menuId: 'A', catererId: 'caterer-anna' }],
      confirmWithin: '1 second',
    });

    // Started past the client-side check, so the workflow's own failure quotes the bad expiry: that message must
    // travel encrypted too.
    const invalidOrderId = `${batch}-invalidOrder`;
    const invalid = await client.workflow.start('Order', {
      workflowId: orderWorkflowId(invalidOrderId),
      taskQueue: TaskQueue.orders,
      args: [order('invalidOrder', { orderId: invalidOrderId })],
    });
    await expect(invalid.result()).rejects.toMatchObject({ cause: { type: 'InvalidOrder' } });

    // The README's hand-started order: plain JSON typed into the temporal CLI, encrypted by the codec server.
    const byHand = order('byHand', { menus: [{ menuId: 'A', catererId: 'caterer-anna' }] });
    const withCodec = ['--codec-endpoint', codec.endpoint];
    await temporal(...startOrderArgs(byHand), ...withCodec);
    await statusOf(byHand.orderId, 'Validated');
    await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      orderWorkflowId(byHand.orderId),
      '--name',
      'ConfirmOrder',
      '--input',
      JSON.stringify({ orderId: byHand.orderId, menuId: 'A' }),
      ...withCodec,
    );
    await statusOf(byHand.orderId, 'Confirmed');
    await eventually(
      'the expiring match to expire',
      () => client.workflow.getHandle(cateringMatchWorkflowId(expiring)).describe(),
      (d) => d.status.name === 'COMPLETED',
      30_000,
    );

    workflowIds.push(
      ...[stalled, confirmed, blocked, expired, malformed, byHand].map((o) => orderWorkflowId(o.orderId)),
      orderWorkflowId(invalidOrderId),
      ...[confirmed, blocked].map((o) => cateringMatchWorkflowId(o.orderId)),
      cateringMatchWorkflowId(expiring),
    );
    // The runbook's submission by hand: update-with-start through the codec server, the card in the update's
    // arguments as well as the workflow's input.
    const submittedByHand = order('submittedByHand', { menus: [] });
    const submission = JSON.stringify(submittedByHand);
    await temporal(
      'workflow',
      'execute-update-with-start',
      ...['--type', 'Order', '--task-queue', TaskQueue.orders],
      ...['--workflow-id', orderWorkflowId(submittedByHand.orderId)],
      ...['--id-conflict-policy', 'UseExisting', '--id-reuse-policy', 'RejectDuplicate'],
      ...['--input', submission, '--update-name', 'SubmitOrder', '--update-input', submission],
      ...withCodec,
    );
    await statusOf(submittedByHand.orderId, 'Rejected'); // the validator's blocklist holds this test card
    workflowIds.push(orderWorkflowId(submittedByHand.orderId));

    // An update's arguments and result are payloads in history too (SubmitOrder carries the card): every one of
    // them must be ciphertext.
    const updatePayloads: FoundPayload[] = [];
    for (const workflowId of workflowIds) {
      const raw = await temporal('workflow', 'show', '--workflow-id', workflowId, '--output', 'json');
      const payloads = payloadsIn(JSON.parse(raw));
      updatePayloads.push(
        ...payloads.filter((p) => /workflowExecutionUpdate\w+EventAttributes/.test(p.path)),
      );
      expect(payloads.length).toBeGreaterThan(0);
      const readable = [raw, ...payloads.map((p) => p.text)].join('\n');
      expect({ workflowId, leaked: allSecrets.filter((secret) => readable.includes(secret)) }).toEqual({
        workflowId,
        leaked: [],
      });
      // Not only absent by luck: everything but the search attributes is ciphertext, and no failure message is in
      // the clear.
      const plain = payloads.filter((p) => p.encoding !== 'binary/encrypted');
      // Left plain by Temporal itself, and holding only our own names: search attributes (indexed by the server)
      // and the SDK's patch markers (a patch id).
      const ours = plain.filter((p) => !/searchAttributes|\.patch-data\./.test(p.path));
      expect(ours.map((p) => p.path)).toEqual([]);
      expect(payloads.length).toBeGreaterThan(plain.length);
      expect(readable).not.toMatch(/card\.expiry must be|fails the Luhn|must be 12 to 19 digits/);
    }

    expect(updatePayloads.length).toBeGreaterThan(0);
    expect(updatePayloads.filter((p) => p.encoding !== 'binary/encrypted')).toEqual([]);

    // With the codec, a person sees the order as it is, its card masked.
    const shown = await temporal(
      'workflow',
      'show',
      '--workflow-id',
      orderWorkflowId(confirmed.orderId),
      '--output',
      'json',
      ...withCodec,
    );
    const input = payloadsIn(JSON.parse(shown)).find((p) => p.text.includes('"card"'));
    expect(input?.encoding).toBe('json/plain');
    expect(input?.text).toContain('"card":{"number":"•••• 4242","expiry":"11/38","holder":"Hedy Lamarr"}');
  }, 300_000);

  test('when the validator has answered, then its ledger database and answer file keep the card by its last four digits only', async () => {
    type Line = { idempotencyKey?: string; cardLast4?: string };
    const answers = readFileSync(join(dataDir, 'validator-answers.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Line);
    // The ledger is a SQLite database: its whole file, every page and the write-ahead log, is searched as bytes.
    const store = await openSqliteLedger(join(dataDir, 'validator.sqlite'));
    const ledger = await store.entries();
    const answersInDb = await store.answers();
    await store.close();
    expect(ledger.length).toBeGreaterThanOrEqual(4);
    expect(answersInDb.length).toBeGreaterThanOrEqual(ledger.length);
    expect(answers.length).toBe(answersInDb.length);
    const text = ['validator.sqlite', 'validator.sqlite-wal', 'validator-answers.jsonl']
      .filter((file) => existsSync(join(dataDir, file)))
      .map((file) => readFileSync(join(dataDir, file)).toString('latin1'))
      .join('\n');
    expect(allSecrets.filter((secret) => text.includes(secret))).toEqual([]);
    expect(ledger.map(([, value]) => value.cardLast4).sort()).toEqual(
      expect.arrayContaining(['0002', '0005', '4242', '4444']),
    );
    expect([...answers, ...answersInDb].every((answer) => /^\d{4}$/.test(answer.cardLast4 ?? ''))).toBe(true);
  });
});

interface FoundPayload {
  /** Where in the document, e.g. `events.0.workflowExecutionStartedEventAttributes.input.payloads.0`. */
  path: string;
  encoding: string | undefined;
  text: string;
}

/** Every payload in a `temporal workflow show -o json` document, its data base64-decoded, in document order. */
function payloadsIn(value: unknown, path = '', found: FoundPayload[] = []): FoundPayload[] {
  if (typeof value !== 'object' || value === null) return found;
  const record = value as Record<string, unknown>;
  const metadata = record.metadata;
  if (!Array.isArray(value) && typeof metadata === 'object' && metadata !== null && 'data' in record) {
    const meta = metadata as Record<string, unknown>;
    const decode = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '');
    found.push({
      path,
      encoding: typeof meta.encoding === 'string' ? decode(meta.encoding) : undefined,
      text: [decode(record.data), ...Object.values(meta).map(decode)].join(' '),
    });
    return found;
  }
  for (const [key, item] of Object.entries(record)) payloadsIn(item, path ? `${path}.${key}` : key, found);
  return found;
}
