import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { EncryptionCodec } from '../src/infra/codec/encryption-codec';
import { testDataConverter, testKeyRing } from './support/codec';
import { workflowBundle } from './support/environments';
import { historyFiles, loadHistory } from './support/histories';

const EventType = temporal.api.enums.v1.EventType;
type History = temporal.api.history.v1.History;

/**
 * The history as the app's encrypting processes would have written it: every payload a client or the SDK encodes
 * through the data converter, encrypted with the test key ring. Search attributes (indexed by the server), headers
 * and markers (read by the SDK's core itself, never through the codec) stay as they are.
 */
async function encrypted(history: History): Promise<History> {
  const codec = new EncryptionCodec(testKeyRing());
  const plain = temporal.api.history.v1.History.toObject(history) as Record<string, unknown>;
  const untouched = new Set(['searchAttributes', 'header', 'markerRecordedEventAttributes']);
  let count = 0;
  const visit = async (node: unknown): Promise<void> => {
    if (Array.isArray(node)) {
      for (const item of node) await visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null || node instanceof Uint8Array) return;
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (untouched.has(key)) continue;
      if (key === 'payloads' && Array.isArray(value)) {
        record[key] = await codec.encode(value as Parameters<typeof codec.encode>[0]);
        count += (value as unknown[]).length;
      } else await visit(value);
    }
  };
  await visit(plain);
  expect(count).toBeGreaterThan(0);
  return temporal.api.history.v1.History.fromObject(plain);
}

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

  // Every process of the app runs with the encrypting data converter: histories written before encryption was on
  // (plaintext, as all of these are) must replay and finish under it, and so must the same histories encrypted.
  test.each(files)(
    'when %s is replayed through the app’s data converter (encryption on), then it replays cleanly, as plaintext and encrypted',
    async (file) => {
      const options = { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() };
      const history = loadHistory(file);
      await expect(Worker.runReplayHistory(options, history)).resolves.toBeUndefined();
      await expect(Worker.runReplayHistory(options, await encrypted(history))).resolves.toBeUndefined();
    },
  );

  test('when an encrypted history is replayed without the key ring, then it fails: the codec is what reads it', async () => {
    const history = await encrypted(loadHistory('order-confirmed.json'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history),
    ).rejects.toThrow();
  });

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
