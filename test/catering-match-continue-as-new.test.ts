import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { cateringMatchWorkflowId } from '../src/contract';
import { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import {
  confirmOrdersReceived,
  deliver,
  eventsSeen,
  readMatchState,
  sendRaw,
  startOrderRecorder,
  useMatchWorker,
} from './support/catering-match';
import { createDevServerEnv, uniqueId } from './support/environments';
import { eventually } from './support/eventually';

const EventType = temporal.api.enums.v1.EventType;

// On the dev server: the Java time-skipping server accepts a continue-as-new while signals are buffered and then
// leaves the new run stuck (seen here: "workflow execution already completed" on the next task), where a real
// server refuses the continue-as-new and runs the task again with the signals, which is what this test pins down.
const match = useMatchWorker(createDevServerEnv);
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = match.env;
});

describe('a CateringMatch that receives many events', () => {
  test('when its history reaches the limit, then it continues as new with its state, loses no event sent meanwhile, and still confirms once', async () => {
    const orderId = uniqueId('can');
    await startOrderRecorder(env.client, orderId);
    const handle = await env.client.workflow.start(CateringMatch, {
      workflowId: cateringMatchWorkflowId(orderId),
      taskQueue: 'orders',
      args: [{ orderId, menus: [{ menuId: 'A', catererId: 'cat-a' }], maxHistoryEvents: 20 }],
    });
    const firstRunId = handle.firstExecutionRunId;

    // Sent back to back, without waiting for each to be applied: some land while a run is continuing as new.
    const sent = 30;
    const eventIds = Array.from({ length: sent }, (_, i) => `${orderId}-customer-${i}`);
    for (const eventId of eventIds) {
      await sendRaw(handle, 'CustomerConfirmedMenu', { orderId, menuId: 'A', eventId });
    }
    const seen = await eventually(
      `all ${sent} events accounted for`,
      () => readMatchState(handle),
      (s) => eventsSeen(s) >= sent,
      60_000,
    );
    expect(seen).toMatchObject({ processedEventCount: sent, ignoredEventCount: 0, rejectedEventCount: 0 });
    expect(seen.processedEventIds).toEqual(eventIds);
    const runAfterBurst = (await handle.describe()).runId;
    expect(runAfterBurst).not.toBe(firstRunId);

    // One at a time, each applied before the next: the run continues as new near its limit, not far past it.
    const paced = Array.from({ length: 12 }, (_, i) => `${orderId}-paced-${i}`);
    for (const eventId of paced)
      await deliver(handle, 'CustomerConfirmedMenu', { orderId, menuId: 'A', eventId });
    expect((await handle.describe()).runId).not.toBe(runAfterBurst);
    const pacedRunHandle = env.client.workflow.getHandle(handle.workflowId, runAfterBurst);
    expect((await pacedRunHandle.describe()).status.name).toBe('CONTINUED_AS_NEW');
    const pacedRun = await pacedRunHandle.fetchHistory();
    expect(pacedRun.events?.length).toBeLessThan(30);

    // The eventIds seen by earlier runs still make a redelivery a duplicate.
    await sendRaw(handle, 'CustomerConfirmedMenu', { orderId, menuId: 'A', eventId: eventIds[0] });
    await sendRaw(handle, 'CatererConfirmedMenu', {
      orderId,
      menuId: 'A',
      catererId: 'cat-a',
      eventId: `${orderId}-caterer`,
    });
    const final = await handle.result();
    expect(final).toMatchObject({
      status: 'Matched',
      chosenMenuId: 'A',
      processedEventCount: sent + paced.length + 1,
      ignoredByReason: { 'duplicate event': 1 },
      startedAt: seen.startedAt,
      deadline: seen.deadline,
    });
    expect(await confirmOrdersReceived(env.client, orderId)).toHaveLength(1);

    const firstRun = await env.client.workflow.getHandle(handle.workflowId, firstRunId).fetchHistory();
    expect(firstRun.events?.at(-1)?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  });
});
