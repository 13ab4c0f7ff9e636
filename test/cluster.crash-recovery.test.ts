import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { getMatchState, publishMenuEvent } from '../src/clients/catering-match-client';
import { getOrderState, submitOrder } from '../src/clients/order-client';
import { placeOrder } from '../src/clients/place-order';
import type { OrderStatus, OrderSubmitted } from '../src/contract';
import { openPostgresLedger } from '../src/infra/validator-ledger';
import { cateringMatchWorkflowId, orderWorkflowId, TaskQueue } from '../src/contract';
import { AppProcess, waitForPoller } from './support/app-processes';
import { clusterServices, TestCluster } from './support/cluster';
import { testDataConverter } from './support/codec';
import { eventually } from './support/eventually';
import { uniqueId } from './support/environments';

/**
 * The production layout, run for real: PostgreSQL and the four Temporal services as separate processes
 * (`scripts/cluster.sh`, what `npm run cluster:start` runs), the real order worker and validator processes, and
 * the server's own processes killed with -9 while orders and matches are in flight.
 */
describe('on a Temporal cluster (PostgreSQL, frontend/history/matching/worker as processes)', () => {
  const cluster = new TestCluster();
  let connection: Connection;
  let client: Client;
  let dataDir: string;
  let worker: AppProcess;
  let validator: AppProcess;
  let env: Record<string, string>;

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

  const total = 120;
  const indexes = Array.from({ length: total }, (_, i) => i);
  const batch = uniqueId('cluster');
  const orderId = (i: number) => `${batch}-${i}`;
  const orderFor = (i: number): OrderSubmitted => ({
    orderId: orderId(i),
    customerId: `customer-${i % 7}`,
    amount: 80 + i,
    currency: 'EUR',
    card: cards[kindOf(i)],
    menus: [
      { menuId: 'A', catererId: `caterer-a-${i % 3}` },
      { menuId: 'B', catererId: 'caterer-b' },
    ],
  });
  const place = (from: number, to: number) =>
    Promise.all(indexes.slice(from, to).map((i) => placeOrder(client, orderFor(i))));
  const customerConfirms = (from: number, to: number) =>
    Promise.all(
      indexes.slice(from, to).map((i) =>
        publishMenuEvent(client, 'CustomerConfirmedMenu', {
          orderId: orderId(i),
          menuId: 'A',
          eventId: `c-${i}`,
        }),
      ),
    );
  const catererConfirms = (from: number, to: number) =>
    Promise.all(
      indexes.slice(from, to).map((i) =>
        publishMenuEvent(client, 'CatererConfirmedMenu', {
          orderId: orderId(i),
          menuId: 'A',
          catererId: `caterer-a-${i % 3}`,
          eventId: `k-${i}`,
        }),
      ),
    );

  type Events = temporal.api.history.v1.IHistoryEvent[];
  const workflowIds = indexes.flatMap((i) => [
    orderWorkflowId(orderId(i)),
    cateringMatchWorkflowId(orderId(i)),
  ]);
  const fetchEvents = async (workflowId: string): Promise<Events> =>
    (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  /** Every history written so far, as (event id, type) pairs: what a crash must not take back. */
  const snapshot = async (ids: string[]) =>
    new Map(
      await Promise.all(
        ids.map(
          async (id) =>
            [id, (await fetchEvents(id)).map((e) => `${String(e.eventId)}:${String(e.eventType)}`)] as const,
        ),
      ),
    );
  /**
   * A retried workflow task's scheduled/started events at the end of a history are transient: the server adds them
   * to what it returns but writes them only with the task's completion, so a crash may take them back. Everything
   * before them is written.
   */
  const { EventType } = temporal.api.enums.v1;
  const transientTypes = new Set(
    [EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED].map(String),
  );
  const written = (events: string[]): string[] => {
    let end = events.length;
    while (end > 0 && transientTypes.has(events[end - 1]!.split(':')[1]!)) end -= 1;
    return events.slice(0, end);
  };
  /** Histories that lost or changed an event they had written before: each must still start with those. */
  const lostSince = async (before: Map<string, string[]>) => {
    const after = await snapshot([...before.keys()]);
    return [...before].filter(([id, all]) => {
      const events = written(all);
      const now = after.get(id) ?? [];
      return now.length < events.length || events.some((e, n) => now[n] !== e);
    });
  };

  beforeAll(async () => {
    await cluster.start();
    connection = await Connection.connect({ address: cluster.address });
    client = new Client({ connection, namespace: 'default', dataConverter: testDataConverter() });
    dataDir = mkdtempSync(join(tmpdir(), 'catering-cluster-data-'));
    env = {
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
      // The production layout: the validator's ledger in the cluster's PostgreSQL.
      VALIDATOR_DATABASE_URL: cluster.databaseUrl('catering_validator'),
    };
    worker = new AppProcess('worker', env);
    validator = new AppProcess('validator', env);
    worker.start();
    validator.start();
    await waitForPoller(client, TaskQueue.orders, 'workflow');
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
  }, 600_000);

  afterAll(async () => {
    await worker?.stop();
    await validator?.stop();
    await connection?.close();
    await cluster.stop();
    cluster.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  test('when two validators share the PostgreSQL ledger and redeliveries of one request reach both at once, then every key has one answer and every order saw it', async () => {
    // Cards good through next month: the validator whose clock runs 100 days ahead finds them expired, so any
    // key that two instances decided on their own would show two answers.
    const nextMonth = new Date();
    nextMonth.setUTCDate(1);
    nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1);
    const expiry = `${String(nextMonth.getUTCMonth() + 1).padStart(2, '0')}/${String(nextMonth.getUTCFullYear() % 100).padStart(2, '0')}`;
    const ids = Array.from({ length: 30 }, (_, i) => `${batch}-ledger-${i}`);

    await validator.stop();
    // Both take longer to decide than the reply timeout, between reading the ledger and writing it: the request
    // is redelivered while the first delivery is still deciding, to either instance, and both write the key.
    const slow = new AppProcess('validator', { ...env, VALIDATOR_DECISION_LATENCY_MS: '3000' });
    const ahead = new AppProcess('validator', {
      ...env,
      VALIDATOR_DECISION_LATENCY_MS: '3000',
      VALIDATOR_CLOCK_OFFSET: '100 days',
    });
    slow.start();
    ahead.start();
    try {
      await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
      await Promise.all(
        ids.map((id) =>
          submitOrder(client, {
            orderId: id,
            customerId: 'customer-ledger',
            amount: 42,
            currency: 'EUR',
            card: { number: '5555555555554444', expiry, holder: 'Katherine Johnson' },
            // Every delivery outlasts the reply timeout while it decides; a redelivery finds the answer recorded.
            // A round that runs out anyway (a slow machine) is re-activated soon, with the same key.
            validationPolicy: {
              replyTimeout: '2 seconds',
              maxAttempts: 10,
              initialInterval: '200 milliseconds',
              maximumInterval: '1 second',
              deliveryWindow: '1 minute',
              reactivateAfter: '2 seconds',
            },
          }),
        ),
      );
      const states = await eventually(
        'every order answered',
        () => Promise.all(ids.map((id) => getOrderState(client, id))),
        (all) => all.every((s) => s.validation.outcome !== 'Pending'),
        180_000,
      );
      const ledger = await openPostgresLedger(cluster.databaseUrl('catering_validator'));
      const keys = new Set(ids.map((id) => `validate-card:${id}`));
      const entries = new Map((await ledger.entries()).filter(([key]) => keys.has(key)));
      const answers = (await ledger.answers()).filter((a) => keys.has(a.idempotencyKey));
      const repeats = (await ledger.repeats()).filter(([key]) => keys.has(key));
      await ledger.close();
      const said = (r: { outcome: string; reason?: string; validatedAt: string }) =>
        `${r.outcome}|${r.reason ?? ''}|${r.validatedAt}`;

      expect({
        keysRecorded: entries.size,
        answeredTwoWays: [...keys].filter(
          (key) =>
            new Set(answers.filter((a) => a.idempotencyKey === key).map((a) => said(a.result))).size !== 1,
        ),
        answersNotTheLedgers: answers.filter((a) => said(a.result) !== said(entries.get(a.idempotencyKey)!)),
        ordersThatSawAnotherAnswer: states.filter((s) => {
          const entry = entries.get(`validate-card:${s.orderId}`);
          const outcome = entry?.outcome === 'CreditCardValidated' ? 'Validated' : 'Failed';
          const reason = entry && 'reason' in entry ? entry.reason : undefined;
          return s.validation.outcome !== outcome || s.validation.reason !== reason;
        }),
      }).toEqual({
        keysRecorded: ids.length,
        answeredTwoWays: [],
        answersNotTheLedgers: [],
        ordersThatSawAnotherAnswer: [],
      });
      // Races happened and the constraint settled them: an instance decided otherwise after another had written
      // the key, and its decision was never sent. Without this the test would prove nothing about concurrency.
      expect(
        repeats.filter(([key, value]) => value.outcome !== entries.get(key)?.outcome).length,
      ).toBeGreaterThan(0);
    } finally {
      await slow.stop();
      await ahead.stop();
      validator = new AppProcess('validator', env);
      validator.start();
    }
  }, 300_000);

  test('when history and then every service are killed with -9 mid-flight, then every order ends as its card deserves, once, with no history lost', async () => {
    await place(0, 60);
    await customerConfirms(0, 60);

    // The history service dies with workflows and validations in flight; `start` brings back only what is down.
    const others = (['frontend', 'matching', 'worker'] as const).map((s) => cluster.pid(s));
    const beforeHistoryKill = await snapshot(workflowIds.slice(0, 120));
    await cluster.kill9('history');
    await cluster.start();
    expect((['frontend', 'matching', 'worker'] as const).map((s) => cluster.pid(s))).toEqual(others);

    await place(60, total);
    await customerConfirms(60, total);
    await catererConfirms(0, 60);

    // Then every Temporal service at once, the database left standing as in a power cut of the app tier.
    const beforeTotalKill = await snapshot(workflowIds);
    await Promise.all(clusterServices.map((s) => cluster.kill9(s)));
    await cluster.start();
    await catererConfirms(60, total);

    const finalStates = await eventually(
      `all ${total} orders in a final status, each confirmation published`,
      () => Promise.all(indexes.map((i) => getOrderState(client, orderId(i)))),
      (states) => states.every((s) => s.status === 'Rejected' || s.confirmation?.published),
      300_000,
    );
    const matches = await Promise.all(indexes.map((i) => getMatchState(client, orderId(i))));
    const refusedAtRejection = (state: (typeof finalStates)[number]): boolean =>
      state.status === 'Rejected' &&
      state.refusals.some((r) => r.command === 'ConfirmOrder' && r.reason.startsWith('card rejected'));

    // Once per order by the workflow's own record (one publishOrderConfirmed scheduled), and by the outside
    // world's: the confirmations ledger has one first entry per confirmed order, and only retries as repeats.
    const histories = await Promise.all(indexes.map((i) => fetchEvents(orderWorkflowId(orderId(i)))));
    const publishScheduled = histories.map(
      (events) =>
        events.filter(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishOrderConfirmed',
        ).length,
    );
    const ledgerFile = join(dataDir, 'order-confirmations.jsonl');
    const ledger = (
      existsSync(ledgerFile) ? readFileSync(ledgerFile, 'utf8').split('\n').filter(Boolean) : []
    )
      .map((line) => JSON.parse(line) as { key: string; value: { menuId: string }; repeat?: boolean })
      .filter((line) => line.key.startsWith(`${batch}-`));
    const failed = await client.workflow.count(
      `WorkflowId STARTS_WITH "order-${batch}-" AND ExecutionStatus != "Running" AND ExecutionStatus != "Completed"`,
    );
    const matchFailed = await client.workflow.count(
      `WorkflowId STARTS_WITH "catering-match-${batch}-" AND ExecutionStatus != "Running" AND ExecutionStatus != "Completed"`,
    );

    expect({
      statuses: finalStates.map((s) => s.status),
      matches: matches.map((m) => `${m.status}:${m.chosenMenuId ?? ''}`),
      publishScheduled,
      confirmationsPublished: ledger
        .filter((l) => !l.repeat)
        .map((l) => `${l.key}:${l.value.menuId}`)
        .sort(),
      repeatsOtherThanRetries: ledger.filter((l) => l.repeat && l.value.menuId !== 'A'),
      workflowsFailed: failed.count + matchFailed.count,
      lostInHistoryKill: (await lostSince(beforeHistoryKill)).map(([id]) => id),
      lostInTotalKill: (await lostSince(beforeTotalKill)).map(([id]) => id),
    }).toEqual({
      statuses: indexes.map((i) => expected[kindOf(i)]),
      // A rejected order that closed before both sides agreed leaves its match no open order to confirm. One whose
      // ConfirmOrder came first (its validation held up by the kills) kept it and refused it at the rejection: the
      // match delivered, and the order has the refusal on record.
      matches: indexes.map((i) =>
        expected[kindOf(i)] === 'Confirmed' || refusedAtRejection(finalStates[i]!)
          ? 'Matched:A'
          : 'OrderNotFound:A',
      ),
      publishScheduled: indexes.map((i) => (expected[kindOf(i)] === 'Confirmed' ? 1 : 0)),
      confirmationsPublished: indexes
        .filter((i) => expected[kindOf(i)] === 'Confirmed')
        .map((i) => `${orderId(i)}:A`)
        .sort(),
      repeatsOtherThanRetries: [],
      workflowsFailed: 0,
      lostInHistoryKill: [],
      lostInTotalKill: [],
    });
    // The kills happened with work in flight, or the test proved nothing: histories grew after each one.
    const grown = await snapshot([...beforeTotalKill.keys()]);
    expect(
      [...beforeTotalKill].filter(([id, events]) => (grown.get(id)?.length ?? 0) > events.length).length,
    ).toBeGreaterThan(total / 2);
  }, 900_000);
});
