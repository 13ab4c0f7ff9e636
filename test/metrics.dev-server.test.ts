import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { publishMenuEvent } from '../src/clients/catering-match-client';
import { cancelOrder, getOrderState, resumeValidation } from '../src/clients/order-client';
import { placeOrder } from '../src/clients/place-order';
import type { OrderStatus } from '../src/contract';
import { TaskQueue } from '../src/contract';
import { defaultMetricsPort } from '../src/infra/config';
import { appMetric } from '../src/contract/metric-names';
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
  /** Every metric name the two processes exported during the first test. */
  const exported = new Set<string>();
  const remember = (samples: Sample[]): Sample[] => {
    for (const sample of samples) exported.add(sample.name);
    return samples;
  };
  const good = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };
  const blocked = { number: '4000000000000002', expiry: '12/39', holder: 'Alan Turing' };
  const order = (i: number, card: typeof good) => ({
    orderId: `${batch}-${i}`,
    customerId: `customer-${i}`,
    amount: 100 + i,
    currency: 'EUR',
    card,
    menus: [{ menuId: 'A', catererId: 'caterer-anna' }],
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
    // Order 5 stalls (no validator yet, a short delivery window), then is resumed by hand once the validator runs.
    await placeOrder(client, {
      ...order(5, good),
      validationPolicy: { replyTimeout: '1 second', deliveryWindow: '1 second', reactivateAfter: '1 hour' },
    });
    await eventually(
      'order 5 stalled',
      () => statusOf(5),
      (s) => s === 'ValidationStalled',
    );
    validator.start();
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
    await resumeValidation(client, `${batch}-5`);
    // 0-2 will be confirmed, 3 cancelled, 4 rejected, 5 stays Validated.
    for (const i of [0, 1, 2, 3]) await placeOrder(client, order(i, good));
    await placeOrder(client, order(4, blocked));
    for (const i of [0, 1, 2, 3, 5])
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
      () => scrape(firstPort).then(remember),
      (samples) => workflowCount(samples, `${appMetric.submitToValidatedMs}_count`) === 5,
    );
    expect(sumOf(first, appMetric.ordersSubmitted, { workflowType: 'Order' })).toBe(6);
    // Order 5 asked twice: the round that stalled and the one ResumeValidation re-activated.
    expect(sumOf(first, appMetric.validationRounds)).toBe(7);
    expect(sumOf(first, appMetric.ordersFinished, { status: 'Rejected' })).toBe(1);
    expect(sumOf(first, appMetric.ordersFinished)).toBe(1);
    expect(sumOf(first, appMetric.stallEpisodes)).toBe(1);
    expect(sumOf(first, appMetric.matchesFinished)).toBe(0);
    // The SDK's own metrics are on the same page.
    expect(first.some((s) => s.name.startsWith('temporal_workflow_task_'))).toBe(true);

    const answers = remember(await scrape(validatorPort));
    expect(
      sumOf(answers, appMetric.validatorAnswers, { outcome: 'CreditCardValidated', redelivery: 'false' }),
    ).toBe(5);
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
      () => scrape(secondPort).then(remember),
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

  test('when Grafana draws the dashboards, then every metric a panel queries is one the workers export, on the ports Prometheus scrapes', () => {
    expect(exported.size).toBeGreaterThan(0);
    const dir = join(__dirname, '..', 'deploy', 'grafana', 'dashboards');
    const queried = new Set<string>();
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        panels: { title: string; targets?: { expr: string }[] }[];
      };
      for (const panel of dashboard.panels) {
        expect({ panel: panel.title, queries: panel.targets?.length ?? 0 }).not.toEqual({
          panel: panel.title,
          queries: 0,
        });
        for (const { expr } of panel.targets ?? [])
          for (const [name] of expr.matchAll(/\b(?:catering|temporal)_[a-z0-9_]+/g)) queried.add(name);
      }
    }
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
    expect(queried.size).toBeGreaterThan(10);

    const scrapeConfig = readFileSync(
      join(__dirname, '..', 'deploy', 'prometheus', 'prometheus.yml'),
      'utf8',
    );
    expect(scrapeConfig).toContain(`'order-worker:${defaultMetricsPort.orders}'`);
    expect(scrapeConfig).toContain(`'validator:${defaultMetricsPort['credit-card-validation']}'`);
  });
});
