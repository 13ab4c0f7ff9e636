import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createAppWorkers } from './support/app-workers';
import { freePort } from './support/browser';
import { createDevServerEnv, uniqueId } from './support/environments';

const run = promisify(execFile);
const processesScript = resolve(__dirname, '..', 'scripts', 'processes.sh');

/**
 * The desk as `npm start` starts it (scripts/processes.sh, the compiled entry point): it makes its secrets on first
 * run, says where it listens, takes an order from a shop with the token from its file, and a desk that cannot
 * listen is reported as failed, not started.
 */
describe('the desk process, started as npm start starts it', () => {
  let env: TestWorkflowEnvironment;
  let workers: Worker[] = [];
  let running: Promise<unknown>;
  let dir: string;
  let port: number;
  let processEnv: Record<string, string>;

  const processes = (command: string, name: string, extra: Record<string, string> = {}) =>
    run('bash', [processesScript, command, name], { env: { ...process.env, ...processEnv, ...extra } });

  beforeAll(async () => {
    env = await createDevServerEnv();
    const { orders, validator } = await createAppWorkers(env);
    workers = [orders, validator];
    running = Promise.all(workers.map((worker) => worker.run()));
    dir = mkdtempSync(join(tmpdir(), 'catering-desk-'));
    port = await freePort();
    processEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CATERING_RUN_DIR: join(dir, 'run'),
      DESK_PORT: String(port),
      DESK_TOKEN_FILE: join(dir, 'desk-token'),
      DESK_LINK_KEY_FILE: join(dir, 'desk-link-key'),
    };
  });

  afterAll(async () => {
    await processes('stop', 'desk').catch(() => undefined);
    for (const worker of workers) worker.shutdown();
    await running;
    await env?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('when npm start starts the desk, then it makes its secrets private, and a shop places an order with the token from its file', async () => {
    const { stdout } = await processes('start', 'desk');
    expect(stdout).toMatch(/desk started \(pid \d+/);
    for (const secret of ['desk-token', 'desk-link-key'])
      expect({ secret, mode: (statSync(join(dir, secret)).mode & 0o777).toString(8) }).toEqual({
        secret,
        mode: '600',
      });
    const log = readFileSync(join(dir, 'run', 'desk.log'), 'utf8');
    expect(log).toContain(`desk on http://127.0.0.1:${port} (operator token in ${join(dir, 'desk-token')}`);

    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const token = readFileSync(join(dir, 'desk-token'), 'utf8').trim();
    const orderId = uniqueId('desk-process');
    const order = {
      orderId,
      customerId: 'c-shop',
      amount: 42.5,
      currency: 'EUR',
      card: { number: '4242 4242 4242 4242', expiry: '12/39', holder: 'Ada Lovelace' },
    };
    const submit = (authorization: string) =>
      fetch(`${url}/api/orders`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(order),
      });
    expect((await submit('Bearer not-the-token')).status).toBe(401);
    const placed = await submit(`Bearer ${token}`);
    expect({ status: placed.status, location: placed.headers.get('location') }).toEqual({
      status: 201,
      location: `/api/orders/${orderId}`,
    });
    const read = await fetch(`${url}/api/orders/${orderId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await read.json()) as { orderId: string }).orderId).toBe(orderId);

    // A second start finds it running, and a restart keeps the secrets it made.
    expect((await processes('start', 'desk')).stdout).toContain('desk already running');
  });

  test('when a second desk cannot listen on the port, then processes.sh fails with its log rather than saying started', async () => {
    const failed = await processes('start', 'desk', { CATERING_RUN_DIR: join(dir, 'second') }).then(
      () => undefined,
      (err: { code: number; stderr: string; stdout: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('EADDRINUSE');
    expect(failed?.stderr).toContain('error: desk exited at start');
    expect(failed?.stdout).not.toContain('desk started');
  });

  test('when the desk is stopped, then it no longer answers', async () => {
    expect((await processes('stop', 'desk')).stdout).toContain('desk stopped');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
