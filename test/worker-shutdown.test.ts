import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createMatchOfferActivities } from '../activities/match-offer';
import { getOrderState, submitOrder } from '../src/clients/order-client';
import type { OrderSubmitted } from '../src/contract';
import { orderWorkflowId, TaskQueue } from '../src/contract';
import { AppProcess, waitForPoller } from './support/app-processes';
import { eventually } from './support/eventually';
import { createDevServerEnv, createTestWorker, uniqueId } from './support/environments';

/**
 * What an orchestrator does to a worker on every deploy: SIGTERM, then (if it takes too long) another signal or
 * SIGKILL. The validator is the process with long tasks, so it is the one stopped here mid-request.
 */
describe('a worker process stopped by SIGTERM with a task in flight', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let dataDir: string;
  let orderWorker: Worker;
  let orderWorkerRun: Promise<void>;
  const started: AppProcess[] = [];
  const outliving: ReturnType<typeof outlivingProcess>[] = [];

  const order = (orderId: string, replyTimeout: Duration): OrderSubmitted => ({
    orderId,
    customerId: 'c-shutdown',
    amount: 80,
    currency: 'EUR',
    card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
    validationPolicy: { replyTimeout, maxAttempts: 5, initialInterval: '200 milliseconds' },
  });

  const validator = (settings: Record<string, string>): AppProcess => {
    const process = new AppProcess('validator', {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
      ...settings,
    });
    started.push(process);
    process.start();
    return process;
  };

  const outlivingValidator = (settings: Record<string, string>) => {
    const process = outlivingProcess({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
      ...settings,
    });
    outliving.push(process);
    return process;
  };

  /** Resolves once a validator has taken the order's validation request and is working on it. */
  const validationInFlight = (orderId: string) =>
    eventually(
      `the validation of ${orderId} taken by the validator`,
      async () =>
        (await client.workflow.getHandle(orderWorkflowId(orderId)).describe()).raw.pendingActivities,
      // The order's own hand-over of its menus is an activity too: only the validation counts.
      (pending) =>
        pending?.find((a) => a.activityType?.name === 'validateCreditCard')?.state ===
        temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
    );

  const answersFor = (orderId: string): unknown[] => {
    const file = join(dataDir, 'validator-answers.jsonl');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { idempotencyKey: string })
      .filter((answer) => answer.idempotencyKey === `validate-card:${orderId}`);
  };

  const validationAttempts = async (orderId: string) => {
    const { events } = await client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
    const validations = new Set(
      (events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'validateCreditCard')
        .map((e) => String(e.eventId)),
    );
    return (events ?? []).flatMap((e) => {
      const started = e.activityTaskStartedEventAttributes;
      return started && validations.has(String(started.scheduledEventId)) ? [started.attempt] : [];
    });
  };

  beforeAll(async () => {
    env = await createDevServerEnv();
    client = env.client;
    dataDir = mkdtempSync(join(tmpdir(), 'catering-shutdown-'));
    orderWorker = await createTestWorker(env, { activities: createMatchOfferActivities(client) });
    orderWorkerRun = orderWorker.run();
  });

  afterAll(async () => {
    for (const process of started) await process.stop('SIGKILL');
    for (const process of outliving) await process.stop();
    if (orderWorker?.getState() === 'RUNNING') orderWorker.shutdown();
    await orderWorkerRun;
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The request a stopped validator gave up on is retried by the server to a fresh validator, then stops it. */
  const validatedByNextValidator = async (orderId: string): Promise<void> => {
    const next = validator({});
    const state = await eventually(
      `order ${orderId} validated by the next validator`,
      () => getOrderState(client, orderId),
      (s) => s.status === 'Validated',
      60_000,
    );
    expect(state.status).toBe('Validated');
    await next.stop();
  };

  test('when SIGTERM arrives mid-request, then the request is answered, the answer delivered and the process exits 0', async () => {
    // Slow enough that the signal lands while the validator works; well inside the order's reply timeout.
    const slow = validator({ VALIDATOR_LATENCY_MS: '3000', WORKER_SHUTDOWN_GRACE: '1 minute' });
    await slow.logged(/credit-card-validation: polling in namespace default/);
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
    const orderId = uniqueId('drain');
    await submitOrder(client, order(orderId, '1 minute'));
    await validationInFlight(orderId);

    slow.signal('SIGTERM');
    await slow.logged(/SIGTERM: polling stopped, draining in-flight tasks for up to 1 minute/);
    expect(await slow.exited).toEqual({ code: 0, signal: null });
    expect(slow.log).toContain('credit-card-validation: stopped; every task it had taken finished');
    expect(answersFor(orderId)).toHaveLength(1);

    // No validator runs any more: only the answer the stopped one delivered can validate the order.
    const state = await eventually(
      `order ${orderId} validated by the answer given while stopping`,
      () => getOrderState(client, orderId),
      (s) => s.status === 'Validated',
      60_000,
    );
    expect(state.status).toBe('Validated');
    expect(await validationAttempts(orderId)).toEqual([1]);
  });

  test('when a second signal arrives while draining, then the process exits at once and the server retries the task elsewhere', async () => {
    const stuck = validator({ VALIDATOR_HANG: '1', WORKER_SHUTDOWN_GRACE: '10 minutes' });
    await stuck.logged(/credit-card-validation: polling in namespace default/);
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
    const orderId = uniqueId('second-signal');
    await submitOrder(client, order(orderId, '3 seconds'));
    await validationInFlight(orderId);

    stuck.signal('SIGTERM');
    await stuck.logged(/draining in-flight tasks for up to 10 minutes/);
    // Within the grace time the hung request would hold the process for ten minutes; the second signal must not wait.
    stuck.signal('SIGTERM');
    expect(await stuck.exited).toEqual({ code: 143, signal: null });
    expect(stuck.log).toContain('credit-card-validation: SIGTERM again: exiting now');

    // Leaves the queue to the next test's validator alone.
    await validatedByNextValidator(orderId);
  });

  test('when a task outlives the grace time, then it is cancelled at the grace time and the process exits 1 five seconds later', async () => {
    // A short grace of the test's own; the 5 s after it are the documented, fixed part.
    const graceMs = 2_000;
    const stuck = outlivingValidator({ WORKER_SHUTDOWN_GRACE: '2 seconds' });
    await stuck.logged(/credit-card-validation: polling in namespace default/);
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
    const orderId = uniqueId('past-grace');
    await submitOrder(client, order(orderId, '3 seconds'));
    await validationInFlight(orderId);
    await stuck.logged(/validateCreditCard: started/);

    const signalledAt = Date.now();
    stuck.signal('SIGTERM');
    const cancelledAfter = stuck.logged(/validateCreditCard: cancelled/).then(() => Date.now() - signalledAt);
    const exit = await stuck.exited;
    const exitedAfter = Date.now() - signalledAt;

    expect(exit).toEqual({ code: 1, signal: null });
    expect(stuck.log).toContain(
      'credit-card-validation: SIGTERM: polling stopped, draining in-flight tasks for up to 2 seconds',
    );
    expect(stuck.log).not.toContain('every task it had taken finished');
    // Cancelled once the grace time is over, well before the process gives up.
    expect(await cancelledAfter).toBeGreaterThanOrEqual(graceMs);
    expect(await cancelledAfter).toBeLessThan(graceMs + 5_000);
    // Not before grace + 5 s; the upper bound leaves a busy 2-core machine slack to end a process.
    expect(exitedAfter).toBeGreaterThanOrEqual(graceMs + 5_000);
    expect(exitedAfter).toBeLessThan(graceMs + 5_000 + 5_000);

    // The request the process gave up on is retried by the server, here to the next validator.
    await validatedByNextValidator(orderId);
  });
});

/**
 * test/fixtures/outliving-validator.ts as its own process, the way AppProcess runs the real validator: a validator
 * whose request ignores cancellation, so that only the worker's own deadline ends the process.
 */
function outlivingProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/outliving-validator.ts'], {
    cwd: resolve(__dirname, '..'),
    env: { ...process.env, METRICS_PORT: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const seen: { pattern: RegExp; found: () => void }[] = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of [...seen])
      if (waiter.pattern.test(output)) {
        seen.splice(seen.indexOf(waiter), 1);
        waiter.found();
      }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return {
    exited,
    get log() {
      return output;
    },
    signal: (signal: NodeJS.Signals) => child.kill(signal),
    /** Resolves once the output matches `pattern`; rejects when the process ends without it. */
    logged: (pattern: RegExp): Promise<void> =>
      pattern.test(output)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((found) => seen.push({ pattern, found })),
            exited.then(({ code, signal }) => {
              if (!pattern.test(output))
                throw new Error(`exited (${code ?? signal}) without logging ${pattern}:\n${output}`);
            }),
          ]),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
