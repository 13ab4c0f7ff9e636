import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { submitOrder } from '../src/clients/order-client';
import {
  CustomerIdAttribute,
  MatchStatusAttribute,
  OrderStatusAttribute,
  orderWorkflowId,
} from '../src/contract';
import { uniqueId } from './support/environments';

const run = promisify(execFile);
const script = resolve(__dirname, '..', 'scripts', 'dev-server.sh');

const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/** scripts/dev-server.sh, as `npm run server:start` / `server:stop` use it, on its own ports and folder. */
describe('the dev server script', () => {
  let dir: string;
  let env: Record<string, string>;
  let address: string;

  const devServer = (command: 'start' | 'stop' | 'status') =>
    run('bash', [script, command], { env: { ...process.env, ...env } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'catering-dev-server-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    env = { TEMPORAL_DEV_DIR: dir, TEMPORAL_DEV_PORT: String(port), TEMPORAL_DEV_UI_PORT: String(uiPort) };
    address = `127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await devServer('stop');
    rmSync(dir, { recursive: true, force: true });
  });

  test('when it is restarted, then orders stored before are still there, with the search attributes', async () => {
    await devServer('start');
    const connection = await Connection.connect({ address });
    try {
      const client = new Client({ connection });
      const { customAttributes } = await client.connection.operatorService.listSearchAttributes({
        namespace: 'default',
      });
      for (const key of [OrderStatusAttribute, CustomerIdAttribute, MatchStatusAttribute]) {
        expect(Object.keys(customAttributes)).toContain(key.name);
      }

      const orderId = uniqueId('persist');
      // No worker: the order is stored by the start alone.
      const stored = await submitOrder(client, {
        orderId,
        customerId: 'c-persist',
        amount: 12,
        currency: 'EUR',
        card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
      });

      await devServer('stop');
      await expect(devServer('status')).rejects.toMatchObject({ code: 1 });
      await devServer('start');

      const description = await client.workflow.getHandle(orderWorkflowId(orderId)).describe();
      expect(description.runId).toBe(stored.runId);
      expect(description.typedSearchAttributes.get(CustomerIdAttribute)).toBe('c-persist');
    } finally {
      await connection.close();
    }
  });

  test('when it is started twice, then the second start finds the running server and starts nothing', async () => {
    await devServer('start');
    const { stdout } = await devServer('start');
    expect(stdout).toContain(`already answering on ${address}`);
  });
});
