import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { getOrderState, submitOrder } from '../src/clients/order-client';
import { orderWorkflowId, TaskQueue } from '../src/contract';
import { workflowCode } from '../src/infra/workflow-bundle';
import { AppProcess, waitForPoller } from './support/app-processes';
import { eventually } from './support/eventually';
import { createDevServerEnv, uniqueId } from './support/environments';

const root = join(__dirname, '..');

/** What the image runs: `npm run build`, then plain node on dist/, the order worker on the prebuilt bundle. */
describe('the compiled order worker, from the prebuilt workflow bundle', () => {
  let env: TestWorkflowEnvironment;
  let dataDir: string;
  let worker: AppProcess;
  let validator: AppProcess;

  beforeAll(async () => {
    // `npm test` builds before jest; a file run on its own builds here when dist/ is stale.
    if (!('workflowBundle' in workflowCode(join(root, 'dist', 'workflows', 'index.js')).code))
      execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'ignore' });
    env = await createDevServerEnv();
    dataDir = mkdtempSync(join(tmpdir(), 'catering-dist-'));
    const settings = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_DATA_DIR: dataDir,
    };
    worker = new AppProcess('worker', settings, { compiled: true });
    validator = new AppProcess('validator', settings, { compiled: true });
    worker.start();
    validator.start();
    await waitForPoller(env.client, TaskQueue.orders, 'workflow');
    await waitForPoller(env.client, TaskQueue.creditCardValidation, 'activity');
  });

  afterAll(async () => {
    await worker?.stop();
    await validator?.stop();
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('when it starts, then it loads the prebuilt bundle and never runs webpack', () => {
    expect(worker.log).toContain('orders: workflows from the prebuilt dist/workflow-bundle.js');
    // The SDK's bundler logs this each time it runs webpack.
    expect(worker.log).not.toContain('Workflow bundle created');
  });

  test('the prebuilt bundle preloads the message contract, the same module its workflows import, once per V8 context', () => {
    const code = readFileSync(join(root, 'dist', 'workflow-bundle.js'), 'utf8');
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
    expect(preload).toContain('"./dist/src/contract/messages.js"');
    // One copy: a preloaded module resolved to another file than the workflows' import would be a second, unused one.
    expect([...code.matchAll(/!\*\*\* \.\/(\S*contract\/messages\S*) \*\*\*!/g)].map((m) => m[1])).toEqual([
      'dist/src/contract/messages.js',
    ]);
  });

  test('when traces are exported, then it bundles at start, so the workflow tracing interceptors are in', async () => {
    const traced = new AppProcess(
      'worker',
      {
        TEMPORAL_ADDRESS: env.address,
        CATERING_DATA_DIR: dataDir,
        METRICS_PORT: 'off',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      },
      { compiled: true },
    );
    traced.start();
    try {
      await traced.logged(/orders: polling in namespace/);
      expect(traced.log).toContain('orders: workflows bundled at start, with the tracing interceptors');
    } finally {
      await traced.stop();
    }
  });

  test('when an order is submitted, then the compiled worker and validator take it to Validated', async () => {
    const orderId = uniqueId('dist');
    await submitOrder(env.client, {
      orderId,
      customerId: 'c-dist',
      amount: 42,
      currency: 'EUR',
      card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
    });
    const state = await eventually(
      `order ${orderId} validated`,
      () => getOrderState(env.client, orderId),
      (s) => s.status === 'Validated',
    );
    expect(state.status).toBe('Validated');
  });

  test('when a workflow in the bundle fails, then its failure message reaches the server encrypted', async () => {
    const orderId = uniqueId('dist-bad');
    const handle = await env.client.workflow.start('Order', {
      taskQueue: TaskQueue.orders,
      workflowId: orderWorkflowId(orderId),
      args: [
        { orderId, customerId: 'c-dist', amount: -5, currency: 'EUR', card: { number: '4242424242424242' } },
      ],
    });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    // Read as the server holds it: no codec.
    const raw = new Client({ connection: env.connection, namespace: 'default' });
    const { events } = await raw.workflow.getHandle(handle.workflowId).fetchHistory();
    const failure = events?.find((e) => e.workflowExecutionFailedEventAttributes)
      ?.workflowExecutionFailedEventAttributes?.failure;
    expect(failure?.message).toBe('Encoded failure');
    // Encrypted by the worker's codec, not merely moved into a plain JSON payload by the failure converter.
    expect(Buffer.from(failure?.encodedAttributes?.metadata?.encoding ?? []).toString()).toBe(
      'binary/encrypted',
    );
    expect(JSON.stringify(failure)).not.toContain('amount');
  });
});
