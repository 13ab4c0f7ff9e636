import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { publishMenuEvent } from '../src/clients/catering-match-client';
import { defaultWorkflowCacheSize } from '../src/infra/run-worker';
import { AppProcess } from './support/app-processes';
import { eventually } from './support/eventually';
import { createDevServerEnv, uniqueId } from './support/environments';
import { openOrders } from './support/open-orders';
import { freePort, scrape, sumOf } from './support/prometheus';

/**
 * More open orders than the sticky cache holds, on the real order worker process: the cache evicts, evicted
 * workflows are rebuilt from history at their next task, and every order still finishes. The soak
 * (`npm run benchmark -- --phases soak`) does the same with 10,000 orders and measures the heap.
 */
describe('order worker sticky cache: more open workflows than it holds', () => {
  const orders = 200;
  const cacheSize = 20;
  let env: TestWorkflowEnvironment;
  let client: Client;
  let dataDir: string;
  let worker: AppProcess;
  let validator: AppProcess;
  let metricsPort: number;
  let workerPid: number | undefined;
  const batch = uniqueId('cache');
  const ids = Array.from({ length: orders }, (_, i) => `${batch}-${i}`);
  const ofBatch = `WorkflowId STARTS_WITH "order-${batch}-"`;
  const count = async (query: string) => (await client.workflow.count(query)).count;

  beforeAll(async () => {
    env = await createDevServerEnv();
    client = env.client;
    dataDir = mkdtempSync(join(tmpdir(), 'catering-cache-'));
    metricsPort = await freePort();
    const processEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
    };
    worker = new AppProcess(
      'worker',
      { ...processEnv, WORKFLOW_CACHE_SIZE: String(cacheSize), METRICS_PORT: String(metricsPort) },
      { compiled: true },
    );
    validator = new AppProcess('validator', processEnv, { compiled: true });
    worker.start();
    validator.start();
    await worker.logged(
      new RegExp(`orders: polling in namespace default, sticky cache of ${cacheSize} workflows`),
    );
    await worker.logged(/orders: version release-2 made current/);
    await validator.logged(/credit-card-validation: polling/);
    workerPid = worker.pid;
  });

  afterAll(async () => {
    await worker?.stop();
    await validator?.stop();
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test(`when ${orders} orders with their matches are open on a cache of ${cacheSize}, then workflows are evicted, the worker stays up, and every order is confirmed`, async () => {
    await openOrders(client, ids, 20);
    await eventually(
      'every order validated and waiting for its confirmation',
      () => count(`${ofBatch} AND OrderStatus = "Validated"`),
      (validated) => validated === orders,
      90_000,
    );
    for (let i = 0; i < ids.length; i += 20)
      await Promise.all(
        ids.slice(i, i + 20).flatMap((orderId) => [
          publishMenuEvent(client, 'CustomerConfirmedMenu', {
            orderId,
            menuId: 'B',
            eventId: `${orderId}-c`,
          }),
          publishMenuEvent(client, 'CatererConfirmedMenu', {
            orderId,
            menuId: 'B',
            catererId: 'caterer-ben',
            eventId: `${orderId}-k`,
          }),
        ]),
      );
    await eventually(
      'every order confirmed',
      () => count(`${ofBatch} AND OrderStatus = "Confirmed"`),
      (confirmed) => confirmed === orders,
      90_000,
    );

    const samples = await scrape(metricsPort);
    // 400 workflows through 20 places: the cache was full and pushed workflows out to take new ones.
    expect(sumOf(samples, 'temporal_sticky_cache_total_forced_eviction')).toBeGreaterThan(0);
    expect(sumOf(samples, 'temporal_sticky_cache_size')).toBeLessThanOrEqual(cacheSize);
    expect(worker.log).not.toMatch(/out of memory|Worker Thread failed/i);
    // The process that started is still running: AppProcess never restarts one, so a crash leaves no pid.
    expect(workerPid).toBeDefined();
    expect(worker.pid).toBe(workerPid);
  }, 300_000);

  test('when WORKFLOW_CACHE_SIZE is unset, then the cache is sized from the heap at the measured cost of a cached workflow', () => {
    // 35% of a 4 GiB heap at 512 KiB a workflow; never zero, however small the heap.
    expect(defaultWorkflowCacheSize(4 * 2 ** 30)).toBe(2867);
    expect(defaultWorkflowCacheSize(2 ** 20)).toBe(1);
  });
});
