/** The open-loop phase (`load`): orders arriving at a rate, the floor at the same transitions/s, and below capacity. */
import type { Client } from '@temporalio/client';
import type { FaultInjection } from '../../activities/credit-card-validator';
import { uniqueId } from '../../test/support/environments';
import { arrivals } from './arrivals';
import type { BurstResult } from './burst';
import type { FloorResult } from './floor';
import { BenchmarkFloor, floorTaskQueue } from './floor-workflow';
import { percentile } from './measure';
import { oneOrder } from './order-flow';
import type { Settings } from './settings';
import { ms } from './table';
import type { Row } from './table';

/** Orders with their matches arriving at a fixed rate. */
export async function openLoop(client: Client, rate: number, seconds: number, submit: Settings['submit']) {
  const batch = uniqueId('load');
  const run = await arrivals(rate, seconds, (i) => oneOrder(client, `${batch}-${i}`, i, submit));
  const of = (key: 'submitToConfirmedMs' | 'confirmLatencyMs' | 'clientCallsMs', p: number) =>
    percentile(
      run.results.map((r) => r[key]),
      p,
    );
  return {
    rate,
    orders: run.total,
    p50SubmitToConfirmedMs: of('submitToConfirmedMs', 50),
    p95SubmitToConfirmedMs: of('submitToConfirmedMs', 95),
    p99SubmitToConfirmedMs: of('submitToConfirmedMs', 99),
    p50ConfirmLatencyMs: of('confirmLatencyMs', 50),
    p95ConfirmLatencyMs: of('confirmLatencyMs', 95),
    p99ConfirmLatencyMs: of('confirmLatencyMs', 99),
    p50ClientCallsMs: of('clientCallsMs', 50),
    p99ClientCallsMs: of('clientCallsMs', 99),
    p99ArrivalLateMs: run.p99ArrivalLateMs,
    inFlightMiddleThird: run.inFlightMiddleThird,
    inFlightLastThird: run.inFlightLastThird,
    backlogFlat: run.backlogFlat,
    drainSeconds: run.drainSeconds,
  };
}

/**
 * Floor workflows arriving at a fixed rate: whether the server and worker can carry a given number of state
 * transitions per second at all, whatever workflow makes them.
 */
export async function floorOpenLoop(client: Client, rate: number, seconds: number) {
  const batch = uniqueId('floor-load');
  const run = await arrivals(rate, seconds, async (i) => {
    const started = Date.now();
    const handle = await client.workflow.start(BenchmarkFloor, {
      taskQueue: floorTaskQueue,
      workflowId: `${batch}-${i}`,
    });
    await handle.result();
    return Date.now() - started;
  });
  return {
    rate,
    workflows: run.total,
    p50StartToCompletedMs: percentile(run.results, 50),
    p99StartToCompletedMs: percentile(run.results, 99),
    p99ArrivalLateMs: run.p99ArrivalLateMs,
    inFlightMiddleThird: run.inFlightMiddleThird,
    inFlightLastThird: run.inFlightLastThird,
    backlogFlat: run.backlogFlat,
    drainSeconds: run.drainSeconds,
  };
}

type OpenLoopResult = Awaited<ReturnType<typeof openLoop>>;

export interface LoadResult {
  loadResult: OpenLoopResult;
  floorLoadResult: Awaited<ReturnType<typeof floorOpenLoop>>;
  lowLoadResult?: OpenLoopResult;
}

/**
 * The open loop at `--rate` with the validator answering in `--validator-latency-ms`, the floor asked for the same
 * transitions/s, and the open loop again below capacity (sized from the burst unless `--low-rate` says).
 */
export async function loadPhase(
  client: Client,
  settings: Settings,
  faults: FaultInjection,
  sizedFrom: { floor: FloorResult; burst: BurstResult },
  log: (line: string) => void,
): Promise<LoadResult> {
  faults.latencyMs = settings.validatorLatencyMs;
  try {
    log(
      `open loop: ${settings.rate}/s for ${settings.seconds} s, validator answering in ${settings.validatorLatencyMs} ms`,
    );
    const loadResult = await openLoop(client, settings.rate, settings.seconds, settings.submit);
    // The floor at the state transitions per second that load asked for: can this server carry it at all?
    const floorRate = (settings.rate * sizedFrom.burst.perOrder) / sizedFrom.floor.perWorkflow;
    log(
      `floor open loop: ${floorRate.toFixed(0)}/s for ${settings.seconds} s ` +
        `(${(settings.rate * sizedFrom.burst.perOrder).toFixed(0)} transitions/s, as the open loop's orders)`,
    );
    const floorLoadResult = await floorOpenLoop(client, floorRate, settings.seconds);
    const lowRate = settings.lowRate ?? Math.max(0.5, Math.floor(sizedFrom.burst.ordersPerSecond * 5) / 10);
    if (!(lowRate > 0)) return { loadResult, floorLoadResult };
    log(`open loop below capacity: ${lowRate}/s for ${settings.seconds} s`);
    const lowLoadResult = await openLoop(client, lowRate, settings.seconds, settings.submit);
    return { loadResult, floorLoadResult, lowLoadResult };
  } finally {
    faults.latencyMs = 0;
  }
}

function openLoopRows(load: OpenLoopResult, judged: boolean, perOrder: number): Row[] {
  return [
    [
      `load ${load.rate}/s: last confirmation -> ConfirmOrder`,
      `p50 ${ms(load.p50ConfirmLatencyMs)} / p95 ${ms(load.p95ConfirmLatencyMs)} / p99 ${ms(load.p99ConfirmLatencyMs)} ms`,
      judged ? 'p99 <= 100 ms' : '',
      judged ? load.p99ConfirmLatencyMs <= 100 : undefined,
    ],
    [
      `load ${load.rate}/s: submit -> Confirmed`,
      `p50 ${ms(load.p50SubmitToConfirmedMs)} / p95 ${ms(load.p95SubmitToConfirmedMs)} / p99 ${ms(load.p99SubmitToConfirmedMs)} ms`,
      '',
      undefined,
    ],
    [
      `load ${load.rate}/s: backlog`,
      `${load.backlogFlat ? 'flat' : 'growing'} (in flight ${load.inFlightMiddleThird.toFixed(0)} -> ${load.inFlightLastThird.toFixed(0)}, ` +
        `${(load.rate * perOrder).toFixed(0)} transitions/s asked; arrivals late p99 ${ms(load.p99ArrivalLateMs)} ms, ` +
        `4 client calls p50 ${ms(load.p50ClientCallsMs)} / p99 ${ms(load.p99ClientCallsMs)} ms)`,
      judged ? 'flat' : '',
      judged ? load.backlogFlat : undefined,
    ],
  ];
}

/** The open loop judged against its targets, the floor beside it, and the loop below capacity for reference. */
export function loadRows(
  { loadResult, floorLoadResult, lowLoadResult }: LoadResult,
  perOrder: number,
): Row[] {
  const rows = openLoopRows(loadResult, true, perOrder);
  rows.push([
    `floor at ${floorLoadResult.rate.toFixed(0)}/s (same transitions/s)`,
    `${floorLoadResult.backlogFlat ? 'flat' : 'growing'} (in flight ${floorLoadResult.inFlightMiddleThird.toFixed(0)} -> ${floorLoadResult.inFlightLastThird.toFixed(0)}), ` +
      `start -> completed p50 ${ms(floorLoadResult.p50StartToCompletedMs)} / p99 ${ms(floorLoadResult.p99StartToCompletedMs)} ms`,
    '',
    undefined,
  ]);
  if (lowLoadResult) rows.push(...openLoopRows(lowLoadResult, false, perOrder));
  return rows;
}
