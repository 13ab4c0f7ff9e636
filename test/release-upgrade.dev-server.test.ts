import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { agreeOnMenu } from './support/agree-on-menu';
import { getOrderState } from '../src/clients/order-client';
import { placeOrder } from '../src/clients/place-order';
import { cateringMatchWorkflowId, orderWorkflowId } from '../src/contract';
import { defaultBuildId, defaultDeploymentName, keySource } from '../src/infra/config';
import { bootstrapCurrentVersion, orderWorkerDeployment } from '../src/infra/worker-deployment';
import { AppProcess } from './support/app-processes';
import { createValidatorWorker, orderWorkerActivities } from './support/app-workers';
import { createDevServerEnv, createTestWorker, uniqueId } from './support/environments';
import { eventually } from './support/eventually';
import {
  failedTasks,
  releaseOne,
  releaseOneBundle,
  startReleaseOneOrder,
  versionOf,
} from './support/releases';

/**
 * The upgrade a user meets: their dev server holds open release-1 orders (pinned to catering-orders:local), they pull
 * release 2 and start its order worker as `npm start` does. Release 2 becomes current and runs new orders; it says how
 * many wait for release 1 and the commands that run release 1's worker; release 1's worker, started as told, finishes
 * them on release 1's code.
 */
describe('a dev server with open release-1 orders, upgraded to release 2', () => {
  let env: TestWorkflowEnvironment;
  let client: Client;
  let dataDir: string;
  let worker: AppProcess | undefined;
  const running: { worker: Worker; run: Promise<void> }[] = [];
  const card = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };
  const menus = [{ menuId: 'A', catererId: 'caterer-anna' }];
  const local = releaseOne.buildId;

  const start = (w: Worker) => {
    const entry = { worker: w, run: w.run() };
    running.push(entry);
    return entry;
  };

  /** Release 1's order worker, the frozen code as version local of catering-orders. */
  const releaseOneWorker = async () =>
    start(
      await createTestWorker(env, {
        workflowBundle: await releaseOneBundle(),
        activities: orderWorkerActivities(env),
        workerDeploymentOptions: orderWorkerDeployment({
          deploymentName: defaultDeploymentName,
          buildId: local,
        }),
      }),
    );

  const validated = (orderId: string) =>
    eventually(
      `order ${orderId} validated`,
      () => getOrderState(client, orderId),
      (s) => s.status === 'Validated',
    );

  const runsOn = async (orderId: string, version: string) => {
    for (const workflowId of [orderWorkflowId(orderId), cateringMatchWorkflowId(orderId)])
      await eventually(
        `${workflowId} runs on ${version}`,
        () => versionOf(client, workflowId),
        (v) => v === version,
      );
  };

  const confirm = async (orderId: string) => {
    await agreeOnMenu(client, orderId);
  };

  const finishedOn = async (orderId: string, version: string) => {
    for (const workflowId of [orderWorkflowId(orderId), cateringMatchWorkflowId(orderId)]) {
      await client.workflow.getHandle(workflowId).result();
      expect({
        workflowId,
        version: await versionOf(client, workflowId),
        failed: await failedTasks(client, workflowId),
      }).toEqual({ workflowId, version, failed: 0 });
    }
    expect((await getOrderState(client, orderId)).status).toBe('Confirmed');
  };

  beforeAll(async () => {
    env = await createDevServerEnv();
    client = env.client;
    dataDir = mkdtempSync(join(tmpdir(), 'catering-upgrade-data-'));
    start(await createValidatorWorker(env));
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    for (const { worker: w } of running) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.all(running.map(({ run }) => run));
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('when release 2’s worker starts, then it becomes current, runs new orders, says how to finish release 1’s, and release 1’s worker finishes them on release 1', async () => {
    // Release 1's day: its worker, current as the first version of catering-orders, holds two orders with matches.
    const one = await releaseOneWorker();
    await bootstrapCurrentVersion(
      client,
      { deploymentName: defaultDeploymentName, buildId: local },
      () => {},
    );
    const onOne = [uniqueId('release-1'), uniqueId('release-1')];
    for (const orderId of onOne) {
      const order = { orderId, customerId: 'c-upgrade', amount: 80, currency: 'EUR' as const, card, menus };
      await startReleaseOneOrder(client, { ...order, retainFor: '0 seconds' });
      await validated(orderId);
      await runsOn(orderId, local);
    }
    // The user stops it and pulls release 2.
    one.worker.shutdown();
    await one.run;

    worker = new AppProcess('worker', {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
    });
    worker.start();
    await worker.logged(
      new RegExp(
        `orders: polling in namespace default.*deployment catering-orders version ${defaultBuildId}`,
      ),
    );
    await worker.logged(
      new RegExp(
        `orders: version ${defaultBuildId} made current in place of version local \\(release 1, which this code ` +
          `supersedes\\) of deployment catering-orders: new workflows run ${defaultBuildId}; those pinned to local ` +
          `stay on it`,
      ),
    );
    const keys = keySource();
    const command =
      `git worktree add ../catering-release-1 ${releaseOne.commit} && cd ../catering-release-1 && npm ci && ` +
      (keys.kind === 'file' ? `CATERING_CODEC_KEY_FILE=${keys.path} ` : '') +
      `CATERING_DATA_DIR=${dataDir} WORKER_DEPLOYMENT_NAME=catering-orders WORKER_BUILD_ID=local npm run worker` +
      (keys.kind === 'env' ? ` (with this worker's CATERING_CODEC_KEYS set)` : '');
    const said =
      `orders: 4 open workflows are pinned to version local (release 1) of deployment catering-orders, which this ` +
      `worker (version ${defaultBuildId}) does not run: they wait for release 1's code. Run its worker from a ` +
      `checkout of this repository: ${command}; stop it once \`npm run cli -- versions\` shows 0 running on local`;
    await worker.logged(/orders: \d+ open workflows? (is|are) pinned to version local.*\n/);
    expect(worker.log.split('\n').filter((line) => line.includes('pinned to version local'))).toEqual([said]);

    // New orders run release 2.
    const onTwo = uniqueId('release-2');
    await placeOrder(client, {
      orderId: onTwo,
      customerId: 'c-upgrade',
      amount: 80,
      currency: 'EUR',
      card,
      menus,
    });
    await validated(onTwo);
    await runsOn(onTwo, defaultBuildId);
    await confirm(onTwo);
    await finishedOn(onTwo, defaultBuildId);

    // Release 1's orders waited meanwhile, pinned (no release-1 worker answers even a query); release 1's worker,
    // started as told, finishes them.
    for (const orderId of onOne) {
      const { status } = await client.workflow.getHandle(orderWorkflowId(orderId)).describe();
      expect({ orderId, status: status.name }).toEqual({ orderId, status: 'RUNNING' });
      await confirm(orderId);
    }
    await releaseOneWorker();
    for (const orderId of onOne) await finishedOn(orderId, local);
  }, 240_000);
});
