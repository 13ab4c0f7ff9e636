import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cateringMatchWorkflowId } from '../src/contract';
import { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import {
  confirmOrdersReceived,
  createMatchWorker,
  deliver,
  RecordedAlerts,
  sendRaw,
  startOrderRecorder,
} from './support/catering-match';
import { createDevServerEnv, uniqueId } from './support/environments';
import { eventually } from './support/eventually';
import { deadlineFiredAt, signalAndNextTaskAfter } from './support/histories';
import { StoppableWorker } from './support/stoppable-worker';

/**
 * The deadline timer fires a little after the deadline, and a signal that reaches the match in the same task is
 * handled before it. Here that task is made on purpose: the worker is stopped before the deadline, the timer fires,
 * the caterer's confirmation comes in, and only then does a worker take the task with both. On a dev server, in real
 * time: the time-skipping server holds its clock while a task waits for a worker.
 */
describe('a CateringMatch whose deadline passes while its worker is away', () => {
  let env: TestWorkflowEnvironment;
  const alerts = new RecordedAlerts();
  const worker = new StoppableWorker(() => createMatchWorker(env, alerts));

  beforeAll(async () => {
    env = await createDevServerEnv();
    await worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await env?.teardown();
  });

  test('when the last confirmation comes after the deadline, in the task where the timer fires, then the match expires and sends no ConfirmOrder', async () => {
    const orderId = uniqueId('late');
    await startOrderRecorder(env.client, orderId);
    const handle = await env.client.workflow.start(CateringMatch, {
      workflowId: cateringMatchWorkflowId(orderId),
      taskQueue: 'orders',
      args: [{ orderId, menus: [{ menuId: 'A', catererId: 'cat-a' }], confirmWithin: '3 seconds' }],
    });
    const afterCustomer = await deliver(handle, 'CustomerConfirmedMenu', {
      orderId,
      menuId: 'A',
      eventId: `${orderId}-customer`,
    });
    expect(afterCustomer.status).toBe('AwaitingConfirmations');

    await worker.stop();
    const events = async () => (await handle.fetchHistory()).events ?? [];
    await eventually('the deadline timer to fire', events, (es) => deadlineFiredAt(es) >= 0, 30_000);
    await sendRaw(handle, 'CatererConfirmedMenu', {
      orderId,
      menuId: 'A',
      catererId: 'cat-a',
      eventId: `${orderId}-caterer`,
    });
    await worker.start();

    const final = await handle.result();
    expect(final.status).toBe('Expired');
    expect(final.chosenMenuId).toBeUndefined();
    expect(final.ignoredEvents.at(-1)).toMatchObject({
      kind: 'CatererConfirmedMenu',
      eventId: `${orderId}-caterer`,
    });
    expect(await confirmOrdersReceived(env.client, orderId)).toEqual([]);
    expect(alerts.for(orderId).map((a) => a.kind)).toEqual(['MatchExpired']);
    // The fire and the signal went to the worker in one task: the case this test is about, not a later task.
    const history = await events();
    const fired = deadlineFiredAt(history);
    const { signaled, nextTask } = signalAndNextTaskAfter(history, fired);
    expect(signaled).toBeGreaterThan(fired);
    expect(nextTask).toBeGreaterThan(signaled);
  });
});
