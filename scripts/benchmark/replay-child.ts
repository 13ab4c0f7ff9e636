/**
 * One replay process of the benchmark's replay figure (forked by scripts/benchmark.ts, one per core): replays
 * `test/histories` once untimed (the replay worker is created and warm), says `ready`, waits for `go`, then replays
 * its share of the timed passes through the same replay worker and reports how many it replayed and how long that
 * took. Replaying one history waits for the previous one (the SDK replays them one at a time), so a process keeps
 * one core busy at most: the figure is the sum over processes.
 *
 *   replay-child.ts BUNDLE_FILE ROUNDS INDEX COUNT
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { testDataConverter } from '../../test/support/codec';
import { quietRuntime } from '../../test/support/environments';
import { loadReplayHistories } from './replay-histories';

export interface ReplayChildReport {
  replayed: number;
  seconds: number;
  error?: string;
}

async function main(): Promise<void> {
  const [codePath, roundsText, indexText, countText] = process.argv.slice(2);
  const rounds = Number(roundsText);
  const index = Number(indexText);
  const count = Number(countText);
  if (!codePath || !(rounds > 0) || !(index >= 0) || !(count > index) || !process.send)
    throw new Error('usage (forked with IPC): replay-child.ts BUNDLE_FILE ROUNDS INDEX COUNT');
  quietRuntime();
  const histories = loadReplayHistories();
  const timed: { workflowId: string; history: temporal.api.history.v1.IHistory }[] = [];
  for (let r = 0; r < rounds; r++)
    histories.forEach(({ workflowId, history }, i) => {
      if ((r * histories.length + i) % count === index)
        timed.push({ workflowId: `${workflowId}#${r}`, history });
    });
  let started = 0;
  async function* feed() {
    for (const { workflowId, history } of histories) yield { workflowId: `${workflowId}#warm-up`, history };
    // Pulled only once the last warm-up history has replayed.
    const go = once(process, 'message');
    process.send!('ready');
    await go;
    started = performance.now();
    yield* timed;
  }
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath }, dataConverter: testDataConverter() },
    feed(),
  )) {
    if (result.error) throw result.error;
    replayed++;
  }
  const report: ReplayChildReport = {
    replayed: replayed - histories.length,
    seconds: (performance.now() - started) / 1000,
  };
  process.send(report, () => process.exit(0));
}

main().catch((err: unknown) => {
  const report: ReplayChildReport = { replayed: 0, seconds: 0, error: String(err) };
  if (process.send) process.send(report, () => process.exit(1));
  else {
    console.error(err);
    process.exit(1);
  }
});
