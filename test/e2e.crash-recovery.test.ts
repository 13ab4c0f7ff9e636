import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  CommandRefusedError,
  confirmOrder,
  getOrderState,
  listOrders,
  OrderFinishedError,
  submitOrder,
} from '../src/clients/order-client';
import type { CommandAnswer, OrderStatus, OrderSubmitted } from '../src/contract';
import { orderWorkflowId, TaskQueue } from '../src/contract';
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
  let processEnv: Record<string, string>;
  let worker: AppProcess;
  let validator: AppProcess;

  // Good through the end of next month: valid today, expired by the clock of a validator moved 100 days on.
  const nextMonth = new Date();
  nextMonth.setUTCDate(1);
  nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1);
  const expiringExpiry = `${String(nextMonth.getUTCMonth() + 1).padStart(2, '0')}/${String(nextMonth.getUTCFullYear() % 100).padStart(2, '0')}`;

  const cards = {
    good: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
    blocked: { number: '4000000000000002', expiry: '12/39', holder: 'Alan Turing' },
    expired: { number: '4111111111111111', expiry: '01/20', holder: 'Grace Hopper' },
    expiring: { number: '5555555555554444', expiry: expiringExpiry, holder: 'Katherine Johnson' },
  };
  type CardKind = keyof typeof cards;
  // The expiring cards are among the orders submitted during the validator's outage (35 and up).
  const kindOf = (i: number): CardKind =>
    i % 5 === 3 ? 'blocked' : i % 5 === 4 ? 'expired' : i >= 35 && i % 5 === 1 ? 'expiring' : 'good';
  const expected: Record<CardKind, OrderStatus> = {
    good: 'Confirmed',
    blocked: 'Rejected',
    expired: 'Rejected',
    // Its first answer, given while the card was good, is the answer: the validator's ledger keeps it.
    expiring: 'Confirmed',
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
  });

  interface LedgerLine<T> {
    key: string;
    value: T;
    repeat?: boolean;
  }
  type Confirmation = { orderId: string; menuId: string; publishedAt: string };
  type Alert = { alertId: string; kind: string; orderId: string; message: string; raisedAt: string };
  interface Answer {
    idempotencyKey: string;
    result: { outcome: string; reason?: string };
    firstTime: boolean;
  }

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
    processEnv = {
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

  /** A command's answer as the business reads it: a refusal, or an order that has closed, is an answer too. */
  const answerOf = (sent: Promise<CommandAnswer>): Promise<string> =>
    sent.then(
      (answer) => answer.outcome,
      (err: unknown) => {
        if (err instanceof CommandRefusedError) return 'refused';
        if (err instanceof OrderFinishedError) return 'closed';
        throw err;
      },
    );

  test('when processes crash and the validator is away, then every order ends as its card deserves, once', async () => {
    const indexes = Array.from({ length: 50 }, (_, i) => i);
    const submit = (from: number, to: number) =>
      Promise.all(indexes.slice(from, to).map((i) => submitOrder(client, orderFor(i))));

    // Some confirmations arrive before validation: they must be kept, then applied (or refused if rejected).
    const stored = await submit(0, 20);
    // Answered by each order itself, in its first workflow task.
    expect(stored.map((s) => s.created && s.acknowledged)).toEqual(stored.map(() => true));
    await Promise.all(
      indexes
        .slice(0, 20)
        .filter((i) => i % 2 === 0)
        .map((i) => answerOf(confirmOrder(client, `${batch}-${i}`, 'A', `early-${i}`))),
    );
    await worker.kill9();

    // The server keeps accepting orders while no worker runs: the start is durable, and the answer says no order
    // has acknowledged it yet. Each is answered, and runs, once the worker is back.
    const unanswered = await submit(20, 35);
    expect(unanswered.map((s) => s.acknowledged)).toEqual(unanswered.map(() => false));
    stored.push(...unanswered);
    worker.start();

    await validator.kill9();
    // The restarted worker may still be starting: acknowledged or not, each is stored.
    stored.push(...(await submit(35, 50)));
    expect(stored.every((s) => s.status === 'Pending')).toBe(true);
    await eventually(
      'an order escalated while the validator is down',
      () => listOrders(client, { status: 'ValidationStalled' }),
      (stalled) => stalled.length > 0,
    );
    // It comes back slow: each answer is decided, recorded and sent after the reply timeout, so no order hears it.
    const expiringKeys = indexes
      .filter((i) => kindOf(i) === 'expiring')
      .map((i) => `validate-card:${batch}-${i}`);
    const slowValidator = new AppProcess('validator', { ...processEnv, VALIDATOR_LATENCY_MS: '4000' });
    slowValidator.start();
    await eventually(
      'the slow validator to answer, too late, every card that expires next month',
      () => Promise.resolve(readJsonl<Answer>('validator-answers.jsonl')),
      (answers) => expiringKeys.every((key) => answers.some((a) => a.idempotencyKey === key)),
    );
    await slowValidator.kill9();
    // Then for good, its clock 100 days on: those cards have expired since, and every order asks again.
    validator = new AppProcess('validator', { ...processEnv, VALIDATOR_CLOCK_OFFSET: '100 days' });
    validator.start();

    // Everything valid gets confirmed; duplicates of the early confirmations must change nothing.
    // Each is answered: applied, a duplicate, refused, or the order already closed at its outcome.
    const lateAnswers = await Promise.all(
      indexes.map((i) => answerOf(confirmOrder(client, `${batch}-${i}`, 'A', `late-${i}`))),
    );
    expect(lateAnswers.filter((a) => a === 'applied').length).toBeGreaterThan(0);

    const finalStatuses = await eventually(
      'every order in a final status, with its confirmation published',
      () => Promise.all(indexes.map((i) => getOrderState(client, `${batch}-${i}`))),
      // Confirmed is recorded before the side effect runs; `published` says the activity completed.
      (states) =>
        states.every((s) => s.status === 'Rejected' || s.status === 'Cancelled' || s.confirmation?.published),
      240_000,
    );

    // No order lost, none doubled: visibility lists exactly the 50 workflows submitted.
    const listed = await eventually(
      'visibility to list all 50',
      async () => (await listOrders(client)).filter((o) => o.orderId.startsWith(`${batch}-`)),
      (orders) => orders.length >= 50,
    );
    expect(new Set(listed.map((o) => o.orderId)).size).toBe(50);
    expect(listed).toHaveLength(50);

    // Once per order, by the workflow's own record: one publishOrderConfirmed scheduled per confirmed order (a
    // retry is the same scheduled activity), one raiseAlert per stall episode.
    const scheduled = await Promise.all(
      indexes.map(async (i) => {
        const { events } = await client.workflow.getHandle(orderWorkflowId(`${batch}-${i}`)).fetchHistory();
        const count = (activity: string) =>
          (events ?? []).filter(
            (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
          ).length;
        return { publish: count('publishOrderConfirmed'), alerts: count('raiseAlert') };
      }),
    );

    // And by the outside world's: the ledgers keep every call, a repeat flagged. A repeat may only be a retry of
    // the first call, word for word; anything else is a second decision the ledger merely kept from the world.
    const ours = <T>(lines: LedgerLine<T>[]) => lines.filter((l) => l.key.startsWith(`${batch}-`));
    const conflicts = <T>(lines: LedgerLine<T>[], strip: (value: T) => unknown) => {
      const first = new Map(lines.filter((l) => !l.repeat).map((l) => [l.key, l.value]));
      return lines.filter(
        (l) => l.repeat && JSON.stringify(strip(l.value)) !== JSON.stringify(strip(first.get(l.key)!)),
      );
    };
    const confirmations = ours(readJsonl<LedgerLine<Confirmation>>('order-confirmations.jsonl'));
    const alerts = ours(readJsonl<LedgerLine<Alert>>('alerts.jsonl'));
    const confirmed = indexes.filter((i) => expected[kindOf(i)] === 'Confirmed').map((i) => `${batch}-${i}`);

    // The validator never answered one request two ways, however often it was redelivered; and the expiring
    // cards were redelivered after they expired, or this would prove nothing.
    const answers = readJsonl<Answer>('validator-answers.jsonl').filter((a) =>
      a.idempotencyKey.startsWith(`validate-card:${batch}-`),
    );
    const outcomesByKey = new Map<string, Set<string>>();
    for (const { idempotencyKey, result } of answers) {
      const seen = outcomesByKey.get(idempotencyKey) ?? new Set<string>();
      seen.add(`${result.outcome}:${result.reason ?? ''}`);
      outcomesByKey.set(idempotencyKey, seen);
    }

    // One report, so that a broken promise shows beside every other it broke.
    expect({
      statuses: finalStatuses.map((s) => s.status),
      publishScheduled: scheduled.map((s) => s.publish),
      alertsScheduled: scheduled.map((s) => s.alerts),
      confirmationsPublished: confirmations
        .filter((l) => !l.repeat)
        .map((l) => [l.key, l.value.menuId])
        .sort(),
      conflictingConfirmations: conflicts(confirmations, ({ publishedAt: _, ...notice }) => notice),
      alertsRaised: alerts
        .filter((l) => !l.repeat)
        .map((l) => l.key)
        .sort(),
      conflictingAlerts: conflicts(alerts, ({ raisedAt: _, ...alert }) => alert),
      answeredTwoWays: [...outcomesByKey].filter(([, outcomes]) => outcomes.size > 1),
      expiringRedelivered: expiringKeys.filter((key) =>
        answers.some((a) => a.idempotencyKey === key && !a.firstTime),
      ),
    }).toEqual({
      statuses: indexes.map((i) => expected[kindOf(i)]),
      publishScheduled: indexes.map((i) => (expected[kindOf(i)] === 'Confirmed' ? 1 : 0)),
      alertsScheduled: finalStatuses.map((s) => s.stallEpisodes.length),
      confirmationsPublished: confirmed.map((id) => [id, 'A']).sort(),
      conflictingConfirmations: [],
      alertsRaised: finalStatuses.flatMap((s) => s.stallEpisodes.map((e) => e.alertId)).sort(),
      conflictingAlerts: [],
      answeredTwoWays: [],
      expiringRedelivered: expiringKeys,
    });
    // The outage was escalated at all, or the alert checks above were vacuous.
    expect(alerts.some((a) => a.value.kind === 'ValidationStalled')).toBe(true);
    expect(answers.length).toBeGreaterThanOrEqual(50);

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
