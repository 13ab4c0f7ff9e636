import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { EncryptionCodec } from '../src/infra/codec/encryption-codec';
import { testDataConverter, testKeyRing } from './support/codec';
import { workflowBundle } from './support/environments';
import { historyFiles, loadHistory, releaseTwoHistoriesDir } from './support/histories';
import { releaseOneBundle } from './support/releases';

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

/** Release 1's 50 recordings, directly in test/histories/: never edited, moved or deleted. */
const releaseOneCount = 50;

describe('release 1’s recorded histories (test/histories) replay against release 1 (test/fixtures/release-1)', () => {
  const files = historyFiles();

  test('are all still there, covering both workflows and their main paths', () => {
    expect(files).toHaveLength(releaseOneCount);
    expect(files).toEqual(
      expect.arrayContaining([
        'order-confirmed.json',
        'order-rejected.json',
        'order-stalled-resumed-cancelled.json',
        'catering-match-matched.json',
        'catering-match-expired.json',
        'catering-match-no-menu-agreed.json',
        'order-confirmed-settings-in-input.json',
        'order-unusable-policy-refused.json',
        'order-resume-deferred-during-round.json',
        'catering-match-continued-as-new-first-run.json',
        'catering-match-continued-as-new-last-run.json',
        'order-confirmed-by-continued-match.json',
        'order-menus-offered-to-match-confirmed.json',
        'catering-match-started-by-order-offer.json',
        'catering-match-held-events-rechecked.json',
        'order-offer-to-running-match.json',
        'order-expired-unconfirmed.json',
        'catering-match-expired-with-order.json',
        'order-malformed-commands-refused.json',
        'order-oversized-fields-before-bounds.json',
        'catering-match-oversized-fields-before-bounds.json',
      ]),
    );
  });

  test.each(files)('when %s is replayed against release 1, then it replays cleanly', async (file) => {
    await expect(
      Worker.runReplayHistory({ workflowBundle: await releaseOneBundle() }, loadHistory(file)),
    ).resolves.toBeUndefined();
  });

  // Every process of the app runs with the encrypting data converter: histories written before encryption was on
  // (plaintext, as all of these are) must replay and finish under it, and so must the same histories encrypted.
  test.each(files)(
    'when %s is replayed through the app’s data converter (encryption on), then it replays cleanly, as plaintext and encrypted',
    async (file) => {
      const options = { workflowBundle: await releaseOneBundle(), dataConverter: testDataConverter() };
      const history = loadHistory(file);
      await expect(Worker.runReplayHistory(options, history)).resolves.toBeUndefined();
      await expect(Worker.runReplayHistory(options, await encrypted(history))).resolves.toBeUndefined();
    },
  );

  test('when an encrypted history is replayed without the key ring, then it fails: the codec is what reads it', async () => {
    const history = await encrypted(loadHistory('order-confirmed.json'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: await releaseOneBundle() }, history),
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
      Worker.runReplayHistory({ workflowBundle: await releaseOneBundle() }, history),
    ).rejects.toThrow(DeterminismViolationError);
  });

  // Release 2 carries no patch for anything before it: what keeps release 1's workflows off its code is that they
  // are pinned to release 1's version, not that they would happen to replay. This one took release 1's oldest path
  // (no hand-over of the menus to the match, no deadline, retention after the outcome).
  test('when a release-1 history is replayed against release 2, then it fails with a determinism error', async () => {
    const history = loadHistory('order-confirmed.json');
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history),
    ).rejects.toThrow(DeterminismViolationError);
  });
});

describe('release 2’s recorded histories (test/histories/release-2) replay against workflows/', () => {
  const files = historyFiles(releaseTwoHistoriesDir);

  test('cover both workflows and their main paths', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'order-confirmed.json',
        'order-rejected.json',
        'order-stalled-resumed-cancelled.json',
        'order-expired-unconfirmed.json',
        'order-late-confirm-expired.json',
        'order-malformed-commands-refused.json',
        'order-confirmed-by-updates-closed.json',
        'catering-match-matched.json',
        'catering-match-expired.json',
        'catering-match-no-menu-agreed.json',
        'catering-match-held-events.json',
        'catering-match-continued-as-new-last-run.json',
        'catering-match-late-event-expired.json',
      ]),
    );
  });

  test.each(files)('when %s is replayed against release 2, then it replays cleanly', async (file) => {
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: await workflowBundle() },
        loadHistory(file, releaseTwoHistoriesDir),
      ),
    ).resolves.toBeUndefined();
  });

  test.each(files)(
    'when %s is replayed through the app’s data converter (encryption on), then it replays cleanly, as plaintext and encrypted',
    async (file) => {
      const options = { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() };
      const history = loadHistory(file, releaseTwoHistoriesDir);
      await expect(Worker.runReplayHistory(options, history)).resolves.toBeUndefined();
      await expect(Worker.runReplayHistory(options, await encrypted(history))).resolves.toBeUndefined();
    },
  );
});
