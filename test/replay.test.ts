import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { workflowBundle } from './support/environments';
import { historyFiles, loadHistory } from './support/histories';

const EventType = temporal.api.enums.v1.EventType;

describe('recorded histories (test/histories, from scripts/record-histories.ts)', () => {
  const files = historyFiles();

  test('cover both workflows and their main paths', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'order-confirmed.json',
        'order-rejected.json',
        'order-stalled-resumed-cancelled.json',
        'catering-match-matched.json',
        'catering-match-expired.json',
        'catering-match-no-menu-agreed.json',
        // Recorded after issue 12, each through one of its patches.
        'order-confirmed-settings-in-input.json',
        'order-unusable-policy-refused.json',
        'order-resume-deferred-during-round.json',
        'catering-match-continued-as-new-first-run.json',
        'catering-match-continued-as-new-last-run.json',
        'order-confirmed-by-continued-match.json',
        // Recorded after issue 10: the order hands its menus over, the match waits for them, the deadline.
        'order-menus-offered-to-match-confirmed.json',
        'catering-match-started-by-order-offer.json',
        'catering-match-held-events-rechecked.json',
        'order-offer-to-running-match.json',
        'order-expired-unconfirmed.json',
        'catering-match-expired-with-order.json',
        // The Order refuses malformed commands and commands naming another order (order-commands-checked).
        'order-malformed-commands-refused.json',
        // Recorded before issue 21's length bounds: fields longer than them, taken as they came.
        'order-oversized-fields-before-bounds.json',
        'catering-match-oversized-fields-before-bounds.json',
      ]),
    );
  });

  test.each(files)(
    'when %s is replayed against the current workflow code, then it replays cleanly',
    async (file) => {
      await expect(
        Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, loadHistory(file)),
      ).resolves.toBeUndefined();
    },
  );

  test('when a history disagrees with the code, then replay fails with a determinism error', async () => {
    const history = loadHistory('order-confirmed.json');
    const scheduled = history.events.find(
      (event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    );
    const activityType = scheduled?.activityTaskScheduledEventAttributes?.activityType;
    expect(activityType?.name).toBe('validateCreditCard');
    // As if the code that recorded it had asked for another activity at this point.
    activityType!.name = 'chargeCreditCard';
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history),
    ).rejects.toThrow(DeterminismViolationError);
  });
});
