import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { publishMenuEvent } from '../src/catering-events';
import { cancelOrder, getOrderState } from '../src/orders';
import { placeOrder } from '../src/place-order';
import type { OrderStatus } from '../src/shared';
import { TaskQueue } from '../src/shared';
import { appMetric } from '../workflows/metric-names';
import { AppProcess, waitForPoller } from './support/app-processes';
import { eventually } from './support/eventually';
import { createDevServerEnv, uniqueId } from './support/environments';
import type { Sample } from './support/prometheus';
import { freePort, scrape, sumOf } from './support/prometheus';

/**
 * The workers' Prometheus endpoints after real orders: the app's counters and histograms as `npm run worker` and
 * `npm run validator` export them, and nothing counted twice when a worker rebuilds workflows from history.
 */
describe('metrics: the workers export what happened to the orders', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let dataDir: string;
  let processEnv: Record<string, string>;
  let worker: AppProcess | undefined;
  let validator: AppProcess;
  let validatorPort: number;
  const batch = uniqueId('metrics');
  const good = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };
  const blocked = { number: '4000000000000002', expiry: '12/39', holder: 'Alan Turing' };
  const order = (i: number, card: typeof good) => ({
    orderId: `${batch}-${i}`,
    customerId: `customer-${i}`,
    amount: 100 + i,
    currency: 'EUR',
    card,
    menus: [{ menuId: 'A', catererId: 'caterer-anna' }],
    retainFor: '1 hour',
  });
  const statusOf = async (i: number): Promise<OrderStatus> =>
    (await getOrderState(client, `${batch}-${i}`)).status;

  const startWorker = async (): Promise<number> => {
    const port = await freePort();
    worker = new AppProcess('worker', { ...processEnv, METRICS_PORT: String(port) });
    worker.start();
    await worker.logged(new RegExp(`Prometheus metrics on http://127\\.0\\.0\\.1:${port}/metrics`));
    return port;
  };
  const workflowCount = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    sumOf(samples, name, { workflowType: 'Order', ...labels }) +
    sumOf(samples, name, { workflowType: 'CateringMatch', ...labels });

  beforeAll(async () => {
    env = await createDevServerEnv();
    client = env.client;
    dataDir = mkdtempSync(join(tmpdir(), 'catering-metrics-'));
    processEnv = { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', CATERING_DATA_DIR: dataDir };
    validatorPort = await freePort();
    validator = new AppProcess('validator', { ...processEnv, METRICS_PORT: String(validatorPort) });
    validator.start();
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
  });

  afterAll(async () => {
    await worker?.stop();
    await validator?.stop();
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('when orders are validated, confirmed, rejected and cancelled across a worker restart, then each is counted once, by the worker that saw it happen', async () => {
    const firstPort = await startWorker();
    await waitForPoller(client, TaskQueue.orders, 'workflow');
    // 0-2 will be confirmed, 3 cancelled, 4 rejected.
    for (const i of [0, 1, 2, 3]) await placeOrder(client, order(i, good));
    await placeOrder(client, order(4, blocked));
    for (const i of [0, 1, 2, 3])
      await eventually(
        `order ${i} validated`,
        () => statusOf(i),
        (s) => s === 'Validated',
      );
    await eventually(
      'order 4 rejected',
      () => statusOf(4),
      (s) => s === 'Rejected',
    );

    const first = await eventually(
      'the first worker to export what it saw',
      () => scrape(firstPort),
      (samples) => workflowCount(samples, `${appMetric.submitToValidatedMs}_count`) === 4,
    );
    expect(sumOf(first, appMetric.ordersSubmitted, { workflowType: 'Order' })).toBe(5);
    expect(sumOf(first, appMetric.validationRounds)).toBe(5);
    expect(sumOf(first, appMetric.ordersFinished, { status: 'Rejected' })).toBe(1);
    expect(sumOf(first, appMetric.ordersFinished)).toBe(1);
    expect(sumOf(first, appMetric.stallEpisodes)).toBe(0);
    expect(sumOf(first, appMetric.matchesFinished)).toBe(0);
    // The SDK's own metrics are on the same page.
    expect(first.some((s) => s.name.startsWith('temporal_workflow_task_'))).toBe(true);

    const answers = await scrape(validatorPort);
    expect(
      sumOf(answers, appMetric.validatorAnswers, { outcome: 'CreditCardValidated', redelivery: 'false' }),
    ).toBe(4);
    expect(
      sumOf(answers, appMetric.validatorAnswers, {
        outcome: 'CreditCardValidationFailed',
        redelivery: 'false',
      }),
    ).toBe(1);

    // A new worker process rebuilds every order and match it touches from history: a replay that counts again
    // would show the submissions and validations above a second time.
    await worker!.stop();
    const secondPort = await startWorker();
    for (const i of [0, 1, 2]) {
      await publishMenuEvent(client, 'CustomerConfirmedMenu', {
        orderId: `${batch}-${i}`,
        menuId: 'A',
        eventId: `${batch}-${i}-customer`,
      });
      await publishMenuEvent(client, 'CatererConfirmedMenu', {
        orderId: `${batch}-${i}`,
        menuId: 'A',
        catererId: 'caterer-anna',
        eventId: `${batch}-${i}-caterer`,
      });
    }
    await cancelOrder(client, `${batch}-3`, 'changed plans');
    for (const i of [0, 1, 2])
      await eventually(
        `order ${i} confirmed`,
        () => statusOf(i),
        (s) => s === 'Confirmed',
      );
    await eventually(
      'order 3 cancelled',
      () => statusOf(3),
      (s) => s === 'Cancelled',
    );

    const second = await eventually(
      'the second worker to export what it saw',
      () => scrape(secondPort),
      (samples) =>
        sumOf(samples, appMetric.ordersFinished, { status: 'Confirmed' }) === 3 &&
        sumOf(samples, appMetric.ordersFinished, { status: 'Cancelled' }) === 1 &&
        sumOf(samples, appMetric.matchesFinished, { status: 'Matched' }) === 3,
    );
    expect(sumOf(second, `${appMetric.submitToConfirmedMs}_count`)).toBe(3);
    expect(sumOf(second, `${appMetric.confirmationToConfirmOrderMs}_count`)).toBe(3);
    expect(sumOf(second, appMetric.ordersFinished)).toBe(4);
    // Happened before the restart: replayed by this worker, never counted by it.
    expect(sumOf(second, appMetric.ordersSubmitted)).toBe(0);
    expect(sumOf(second, appMetric.validationRounds)).toBe(0);
    expect(sumOf(second, `${appMetric.submitToValidatedMs}_count`)).toBe(0);
  });
});
