import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { confirmOrder, getOrderState, listOrders, submitOrder } from '../src/orders';
import type { OrderStatus, OrderSubmitted } from '../src/shared';
import { orderWorkflowId, TaskQueue } from '../src/shared';
import { AppProcess, waitForPoller } from './support/app-processes';
import { testDataConverter } from './support/codec';
import { eventually } from './support/eventually';
import { createDevServerEnv, uniqueId, workflowBundle } from './support/environments';

/**
 * The reference's recovery requirements, end to end: the dev server, the order worker and the validator as
 * real processes, a kill -9 of the worker mid-flight and a validator outage longer than the retry window.
 */
describe('end to end: 50 orders through worker crashes and a validator outage', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let dataDir: string;
  let worker: AppProcess;
  let validator: AppProcess;

  const cards = {
    good: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
    blocked: { number: '4000000000000002', expiry: '12/39', holder: 'Alan Turing' },
    expired: { number: '4111111111111111', expiry: '01/20', holder: 'Grace Hopper' },
  };
  type CardKind = keyof typeof cards;
  const kindOf = (i: number): CardKind => (i % 5 === 3 ? 'blocked' : i % 5 === 4 ? 'expired' : 'good');
  const expected: Record<CardKind, OrderStatus> = {
    good: 'Confirmed',
    blocked: 'Rejected',
    expired: 'Rejected',
  };

  const batch = uniqueId('e2e');
  const orderFor = (i: number): OrderSubmitted => ({
    orderId: `${batch}-${i}`,
    customerId: `customer-${i % 7}`,
    amount: 50 + i,
    currency: 'EUR',
    card: cards[kindOf(i)],
    // Small enough that an outage of a few seconds exhausts a round, as a long one would in production.
    validationPolicy: {
      replyTimeout: '3 seconds',
      maxAttempts: 3,
      initialInterval: '200 milliseconds',
      maximumInterval: '1 second',
      deliveryWindow: '4 seconds',
      reactivateAfter: '3 seconds',
    },
    retainFor: '1 hour',
  });

  const readJsonl = <T>(file: string): T[] =>
    existsSync(join(dataDir, file))
      ? readFileSync(join(dataDir, file), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as T)
      : [];

  beforeAll(async () => {
    env = await createDevServerEnv();
    client = env.client;
    dataDir = mkdtempSync(join(tmpdir(), 'catering-e2e-'));
    const processEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
    };
    worker = new AppProcess('worker', processEnv);
    validator = new AppProcess('validator', processEnv);
    worker.start();
    validator.start();
    await waitForPoller(client, TaskQueue.orders, 'workflow');
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
  });

  afterAll(async () => {
    await worker?.stop();
    await validator?.stop();
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('when processes crash and the validator is away, then every order ends as its card deserves, once', async () => {
    const indexes = Array.from({ length: 50 }, (_, i) => i);
    const submit = (from: number, to: number) =>
      Promise.all(indexes.slice(from, to).map((i) => submitOrder(client, orderFor(i))));

    // Some confirmations arrive before validation: they must be kept, then applied (or refused if rejected).
    const stored = await submit(0, 20);
    await Promise.all(
      indexes
        .slice(0, 20)
        .filter((i) => i % 2 === 0)
        .map((i) => confirmOrder(client, `${batch}-${i}`, 'A', `early-${i}`)),
    );
    await worker.kill9();

    // The server keeps accepting orders while no worker runs: OrderStored comes from the durable start.
    stored.push(...(await submit(20, 35)));
    worker.start();

    await validator.kill9();
    stored.push(...(await submit(35, 50)));
    expect(stored.every((s) => s.created && s.status === 'Pending')).toBe(true);
    await eventually(
      'an order escalated while the validator is down',
      () => listOrders(client, { status: 'ValidationStalled' }),
      (stalled) => stalled.length > 0,
    );
    validator.start();

    // Everything valid gets confirmed; duplicates of the early confirmations must change nothing.
    await Promise.all(indexes.map((i) => confirmOrder(client, `${batch}-${i}`, 'A', `late-${i}`)));

    const finalStatuses = await eventually(
      'every order in a final status, with its confirmation published',
      () => Promise.all(indexes.map((i) => getOrderState(client, `${batch}-${i}`))),
      // Confirmed is recorded before the side effect runs; `published` says the activity completed.
      (states) =>
        states.every((s) => s.status === 'Rejected' || s.status === 'Cancelled' || s.confirmation?.published),
      240_000,
    );
    expect(finalStatuses.map((s) => s.status)).toEqual(indexes.map((i) => expected[kindOf(i)]));

    // No order lost, none doubled: visibility lists exactly the 50 workflows submitted.
    const listed = await eventually(
      'visibility to list all 50',
      async () => (await listOrders(client)).filter((o) => o.orderId.startsWith(`${batch}-`)),
      (orders) => orders.length >= 50,
    );
    expect(new Set(listed.map((o) => o.orderId)).size).toBe(50);
    expect(listed).toHaveLength(50);

    // The confirmation side effect happened exactly once per confirmed order and never for a rejected one.
    const confirmations = readJsonl<{ key: string }>('order-confirmations.jsonl').map((line) => line.key);
    expect(confirmations.filter((id) => id.startsWith(`${batch}-`)).sort()).toEqual(
      indexes
        .filter((i) => kindOf(i) === 'good')
        .map((i) => `${batch}-${i}`)
        .sort(),
    );

    // The validator never answered one request two ways, however often it was redelivered.
    const answers = readJsonl<{ idempotencyKey: string; result: { outcome: string; reason?: string } }>(
      'validator-answers.jsonl',
    );
    expect(answers.length).toBeGreaterThanOrEqual(50);
    const byKey = new Map<string, Set<string>>();
    for (const { idempotencyKey, result } of answers) {
      const seen = byKey.get(idempotencyKey) ?? new Set<string>();
      seen.add(`${result.outcome}:${result.reason ?? ''}`);
      byKey.set(idempotencyKey, seen);
    }
    expect([...byKey.values()].filter((outcomes) => outcomes.size > 1)).toEqual([]);

    // The outage was escalated, once per order and episode.
    const alerts = readJsonl<{ key: string; value: { kind: string } }>('alerts.jsonl');
    expect(alerts.some((a) => a.value.kind === 'ValidationStalled')).toBe(true);
    expect(new Set(alerts.map((a) => a.key)).size).toBe(alerts.length);

    // Histories written through the crashes replay against the code: recovery was deterministic.
    for (const i of [0, 20, 35]) {
      const history = await client.workflow.getHandle(orderWorkflowId(`${batch}-${i}`)).fetchHistory();
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() },
        history,
      );
    }
  }, 600_000);
});
