/** The floor phase: `2 x --orders` one-activity workflows started at once, the transitions/s any workflow gets. */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { uniqueId } from '../../test/support/environments';
import { BenchmarkFloor, floorTaskQueue } from './floor-workflow';
import { transitionsOf } from './measure';
import type { Row } from './table';

/** `n` floor workflows started at once; the same worker settings as the order flow's. */
export async function floorBurst(client: Client, n: number) {
  const batch = uniqueId('floor');
  const started = performance.now();
  const handles = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      client.workflow.start(BenchmarkFloor, { taskQueue: floorTaskQueue, workflowId: `${batch}-${i}` }),
    ),
  );
  await Promise.all(handles.map((h) => h.result()));
  const seconds = (performance.now() - started) / 1000;
  const transitions = await transitionsOf(handles);
  return {
    workflows: n,
    seconds,
    workflowsPerSecond: n / seconds,
    transitions,
    perWorkflow: transitions / n,
    transitionsPerSecond: transitions / seconds,
  };
}

/** As many floor workflows as the burst's orders with their matches. */
export async function floorPhase(client: Client, orders: number, log: (line: string) => void) {
  log(`floor: ${2 * orders} workflows with one no-op activity, started at once`);
  return floorBurst(client, 2 * orders);
}

export type FloorResult = Awaited<ReturnType<typeof floorBurst>>;

export const floorRows = (floor: FloorResult): Row[] => [
  [
    'floor: transitions/s',
    `${floor.transitionsPerSecond.toFixed(0)} (${floor.perWorkflow.toFixed(1)} per workflow, ${floor.workflows} in ${floor.seconds.toFixed(1)} s)`,
    '',
    undefined,
  ],
];
