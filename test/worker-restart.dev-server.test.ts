import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { publishMenuEvent } from '../src/clients/catering-match-client';
import { getOrderState } from '../src/clients/order-client';
import { placeOrder } from '../src/clients/place-order';
import { orderWorkflowId, TaskQueue } from '../src/contract';
import { AppProcess, waitForPoller } from './support/app-processes';
import { createDevServerEnv, uniqueId } from './support/environments';
import { eventually } from './support/eventually';

const run = promisify(execFile);
const processesScript = resolve(__dirname, '..', 'scripts', 'processes.sh');

/**
 * The order worker restarted after a kill -9 the ways the docs tell users to start it: `npm start`'s
 * scripts/processes.sh, `npm run worker`, the compiled entry point the image runs. Each must pick up the orders and
 * matches pinned to the version the crashed worker ran, and a worker that would not run them must say so.
 */
describe('the order worker restarted after a crash, however it is started', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let dataDir: string;
  let runDir: string;
  let processEnv: Record<string, string>;
  const started: AppProcess[] = [];
  const card = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };

  const processes = (command: string, name: string, extra: Record<string, string> = {}) =>
    run('bash', [processesScript, command, name], { env: { ...process.env, ...processEnv, ...extra } });

  const app = (
    name: 'worker' | 'validator',
    options: { compiled?: boolean; npm?: boolean } = {},
    extra = {},
  ) => {
    const process = new AppProcess(name, { ...processEnv, ...extra }, options);
    started.push(process);
    process.start();
    return process;
  };

  /** Placed with a menu, so each order has its match; both wait (no validator, no caterer yet). */
  const placeInFlight = async (batch: string, count: number): Promise<string[]> => {
    const orderIds = Array.from({ length: count }, (_, i) => `${batch}-${i}`);
    for (const orderId of orderIds) {
      await placeOrder(client, {
        orderId,
        customerId: 'c-restart',
        amount: 80,
        currency: 'EUR',
        card,
        menus: [{ menuId: 'A', catererId: 'cat-anna' }],
      });
      await publishMenuEvent(client, 'CustomerConfirmedMenu', {
        orderId,
        menuId: 'A',
        eventId: `${orderId}-c`,
      });
    }
    return orderIds;
  };

  const pinnedToOwnVersion = (count: number) =>
    eventually(
      `${count} open workflows pinned to catering-orders:release-2`,
      () =>
        client.workflow.count(
          `TemporalWorkerDeploymentVersion = 'catering-orders:release-2' AND ExecutionStatus = 'Running'`,
        ),
      ({ count: open }) => open === count,
      60_000,
    );

  /** The caterer confirms; the match confirms the order, which the validator has validated meanwhile. */
  const confirmAll = async (orderIds: string[]) => {
    for (const orderId of orderIds)
      await publishMenuEvent(client, 'CatererConfirmedMenu', {
        orderId,
        menuId: 'A',
        catererId: 'cat-anna',
        eventId: `${orderId}-k`,
      });
    const states = await eventually(
      'every order confirmed, its confirmation published',
      () => Promise.all(orderIds.map((orderId) => getOrderState(client, orderId))),
      (all) => all.every((s) => s.status === 'Confirmed' && s.confirmation?.published),
      120_000,
    );
    expect(states.map((s) => s.status)).toEqual(orderIds.map(() => 'Confirmed'));
    // None twice: one publishOrderConfirmed scheduled per order, and one line in the outside world's ledger.
    const scheduled = await Promise.all(
      orderIds.map(async (orderId) => {
        const { events } = await client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
        return (events ?? []).filter(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishOrderConfirmed',
        ).length;
      }),
    );
    expect(scheduled).toEqual(orderIds.map(() => 1));
    const published = readFileSync(join(dataDir, 'order-confirmations.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { key: string; repeat?: boolean })
      .filter((line) => orderIds.includes(line.key) && !line.repeat);
    expect(published.map((line) => line.key).sort()).toEqual([...orderIds].sort());
  };

  beforeAll(async () => {
    env = await createDevServerEnv();
    client = env.client;
    dataDir = mkdtempSync(join(tmpdir(), 'catering-restart-data-'));
    runDir = mkdtempSync(join(tmpdir(), 'catering-restart-run-'));
    processEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
      CATERING_RUN_DIR: runDir,
      METRICS_PORT: 'off',
    };
  });

  afterAll(async () => {
    await processes('stop', 'worker').catch(() => undefined);
    for (const process of started) await process.stop('SIGKILL');
    await env?.teardown();
    for (const dir of [dataDir, runDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('when the worker npm start started is killed, then npm run worker, killed in turn, and the compiled worker finish every pinned order, once', async () => {
    const { stdout } = await processes('start', 'worker');
    expect(stdout).toMatch(/worker started \(pid \d+/);
    const first = await placeInFlight(uniqueId('restart-npm'), 3);
    await pinnedToOwnVersion(6);
    // kill -9 of the session processes.sh started the worker in.
    process.kill(-Number(readFileSync(join(runDir, 'worker.pid'), 'utf8')), 'SIGKILL');

    const npmWorker = app('worker', { npm: true });
    await npmWorker.logged(
      /orders: polling in namespace default.*deployment catering-orders version release-2/,
    );
    const second = await placeInFlight(uniqueId('restart-compiled'), 3);
    await pinnedToOwnVersion(12);
    await npmWorker.kill9();

    const compiled = app('worker', { compiled: true });
    await compiled.logged(/deployment catering-orders version release-2/);
    app('validator');
    await waitForPoller(client, TaskQueue.creditCardValidation, 'activity');
    await confirmAll([...first, ...second]);
    await compiled.stop();
  }, 300_000);

  test('when a worker starts unversioned beside orders pinned to a version no one runs, then it says how many and how to run them', async () => {
    const versioned = app('worker', { compiled: true });
    await versioned.logged(/deployment catering-orders version release-2/);
    await placeInFlight(uniqueId('restart-stranded'), 2);
    await pinnedToOwnVersion(4);
    await versioned.kill9();
    const unversioned = app('worker', {}, { WORKER_DEPLOYMENT_NAME: 'none' });
    await unversioned.logged(/orders: polling in namespace default.*, unversioned/);
    await unversioned.logged(
      /orders: 4 open workflows are pinned to version release-2 of deployment catering-orders, which this unversioned worker does not run: they wait for a worker of that version\. Start one with WORKER_DEPLOYMENT_NAME=catering-orders WORKER_BUILD_ID=release-2 npm run worker/,
    );
    await unversioned.stop();
  });

  test('when a process that processes.sh starts dies at once, then the script fails with its last log lines', async () => {
    const failed = await processes('start', 'validator', { VALIDATOR_ERROR_RATE: '2' }).then(
      () => undefined,
      (err: { code: number; stderr: string; stdout: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('VALIDATOR_ERROR_RATE=2 is not valid');
    expect(failed?.stderr).toContain('error: validator exited at start');
    expect(failed?.stdout).not.toContain('validator started');
  });
});
