import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startOrder } from '../src/clients/order-client';
import { confirmOrderSignal } from '../src/contract';
import { createValidatorWorker, orderWorkerActivities } from './support/app-workers';
import { createDevServerEnv, createTestWorker } from './support/environments';
import { eventually } from './support/eventually';
import { deadlineFiredAt, signalAndNextTaskAfter } from './support/histories';
import { orderInput, stateOf } from './support/order-harness';
import { StoppableWorker } from './support/stoppable-worker';

/**
 * The confirmation deadline's timer fires a little after `confirmBy`, and a command that reaches the order in the
 * same task is handled before it. Here that task is made on purpose: the order worker is stopped once the order is
 * Validated, the timer fires, the ConfirmOrder comes in, and only then does a worker take the task with both. On a
 * dev server, in real time: the time-skipping server holds its clock while a task waits for a worker.
 */
describe('a validated order whose confirmation deadline passes while its worker is away', () => {
  let env: TestWorkflowEnvironment;
  const validator = new StoppableWorker(() => createValidatorWorker(env));
  const orders = new StoppableWorker(() => createTestWorker(env, { activities: orderWorkerActivities(env) }));

  beforeAll(async () => {
    env = await createDevServerEnv();
    await validator.start();
    await orders.start();
  });
  afterAll(async () => {
    await orders.stop();
    await validator.stop();
    await env?.teardown();
  });

  test('when its ConfirmOrder comes after the deadline, in the task where the timer fires, then it is refused and the order expires', async () => {
    const input = orderInput({ confirmWithin: '3 seconds' });
    const handle = await startOrder(env.client, input);
    await eventually('Validated', stateOf(env, handle.workflowId), (s) => s.status === 'Validated', 30_000);

    await orders.stop();
    const events = async () => (await handle.fetchHistory()).events ?? [];
    await eventually('the confirmation deadline to fire', events, (es) => deadlineFiredAt(es) >= 0, 30_000);
    const eventId = `${input.orderId}-late`;
    await handle.signal(confirmOrderSignal, { orderId: input.orderId, menuId: 'm-1', eventId });
    await orders.start();

    const final = await handle.result();
    expect(final.status).toBe('Expired');
    expect(final.confirmation).toBeUndefined();
    expect(final.refusals.at(-1)).toMatchObject({
      command: 'ConfirmOrder',
      eventId,
      reason: `order expired: no ConfirmOrder by ${final.confirmBy}`,
    });
    // The fire and the signal went to the worker in one task: the case this test is about, not a later task.
    const history = await events();
    const at = deadlineFiredAt(history);
    const { signaled, nextTask } = signalAndNextTaskAfter(history, at);
    expect(signaled).toBeGreaterThan(at);
    expect(nextTask).toBeGreaterThan(signaled);
  });
});
