/** The run's figures: the printed table, and every figure as JSON (`--json`), keys kept from run to run. */
import { writeFileSync } from 'node:fs';
import type { WorkerOptions } from '@temporalio/worker';
import { burstRows } from './burst';
import { floorRows } from './floor';
import { heapRows } from './heap';
import type { HeapResult } from './heap';
import type { FloorResult } from './floor';
import { loadRows } from './load';
import type { LoadResult } from './load';
import { replayRows } from './replay';
import type { ReplayResult } from './replay';
import { ratioRows, roundFigures, roundRows } from './rounds';
import type { Round } from './rounds';
import type { Settings } from './settings';
import { soakRows } from './soak';
import type { SoakResult } from './soak';
import { printTable } from './table';
import type { Row } from './table';

/** What the phases measured; a phase not run leaves its part undefined. */
export interface Results {
  floorResult?: FloorResult;
  rounds: Round[];
  load?: LoadResult;
  heapResult?: HeapResult;
  soakResult?: SoakResult;
  replayResult?: ReplayResult;
}

/** Prints the table and writes the JSON. */
export function report(
  settings: Settings,
  { floorResult, rounds, load, heapResult, soakResult, replayResult }: Results,
  workers: { workerSettings: Partial<WorkerOptions>; stickyCacheSize: number | undefined },
): void {
  const burstResult = rounds[0]?.burst;
  const transitionRatio =
    burstResult && floorResult
      ? burstResult.transitionsPerSecond / floorResult.transitionsPerSecond
      : undefined;
  const figures = {
    floorTransitionsPerSecond: floorResult?.transitionsPerSecond,
    orderTransitionsPerSecond: burstResult?.transitionsPerSecond,
    transitionRatio,
    ...roundFigures(rounds),
    p99ConfirmLatencyMs: load?.loadResult.p99ConfirmLatencyMs,
    p99SubmitToConfirmedMs: load?.loadResult.p99SubmitToConfirmedMs,
    heapPerCachedWorkflowKiB: heapResult?.heapPerCachedWorkflowKiB,
    peakRssMiB: soakResult?.peakRssMiB,
    rssPerOpenWorkflowKiB: soakResult?.rssPerOpenWorkflowKiB,
    workerRestarts: soakResult?.workerRestarts,
    replayHistoriesPerSecond: replayResult?.historiesPerSecond,
  };
  const rows: Row[] = [
    ...(floorResult ? floorRows(floorResult) : []),
    ...roundRows(rounds, settings),
    ...(transitionRatio !== undefined ? burstRows(transitionRatio) : []),
    ...ratioRows(figures),
    ...(load && burstResult ? loadRows(load, burstResult.perOrder) : []),
    ...(heapResult ? heapRows(heapResult) : []),
    ...(soakResult ? soakRows(soakResult) : []),
    ...(replayResult ? replayRows(replayResult) : []),
  ];
  printTable(rows);
  if (settings.json) {
    const out = {
      ...figures,
      settings: { ...settings, phases: [...settings.phases] },
      ...workers,
      floor: floorResult,
      // The first round's, as before rounds; every round's in `rounds`.
      peer: rounds[0]?.peer,
      burst: burstResult,
      rounds,
      load: load?.loadResult,
      floorLoad: load?.floorLoadResult,
      lowLoad: load?.lowLoadResult,
      heap: heapResult,
      soak: soakResult,
      replay: replayResult,
    };
    writeFileSync(settings.json, JSON.stringify(out, null, 2) + '\n');
    console.log(`\nfigures written to ${settings.json}`);
  }
}
