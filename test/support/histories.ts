import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';

/** Release 1's recordings, each directly in test/histories/: they replay against test/fixtures/release-1. */
export const historiesDir = join(__dirname, '..', 'histories');
/** Release 2's recordings (scripts/record-histories.ts writes here): they replay against workflows/. */
export const releaseTwoHistoriesDir = join(historiesDir, 'release-2');

export const historyFiles = (dir: string = historiesDir): string[] =>
  readdirSync(dir).filter((name) => name.endsWith('.json'));

/** A history recorded by scripts/record-histories.ts, in `dir` (release 1's folder unless told). */
export function loadHistory(file: string, dir: string = historiesDir): temporal.api.history.v1.History {
  const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  return temporal.api.history.v1.History.fromObject(json);
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** Where the last timer started in `events` (a workflow's deadline) fired, or -1 while it has not. */
export function deadlineFiredAt(events: HistoryEvent[]): number {
  const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED).at(-1);
  return events.findIndex(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_TIMER_FIRED &&
      String(e.timerFiredEventAttributes?.startedEventId) === String(started?.eventId),
  );
}

/**
 * After event `at`, where the first signal and the first workflow task started are: a signal before the next task
 * reached the worker in the same task as event `at` (the late-event tests' case).
 */
export function signalAndNextTaskAfter(
  events: HistoryEvent[],
  at: number,
): { signaled: number; nextTask: number } {
  const after = (type: temporal.api.enums.v1.EventType) =>
    events.findIndex((e, i) => i > at && e.eventType === type);
  return {
    signaled: after(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    nextTask: after(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
  };
}
