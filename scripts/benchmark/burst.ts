/** The burst phase: `--orders` orders with their matches and both menu confirmations, started at once. */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { cateringMatchWorkflowId, orderWorkflowId } from '../../src/contract';
import { uniqueId } from '../../test/support/environments';
import { cpuMeter } from './cpu';
import { perPair, transitionsOf } from './measure';
import { oneOrder } from './order-flow';
import { serverCallsMeter } from './server-calls';
import type { Settings } from './settings';
import type { Row } from './table';

/** The order flow's pairs, as `oneOrder` drives each, with their transitions and CPU per pair. */
export async function burst(client: Client, n: number, submit: Settings['submit']) {
  const batch = uniqueId('burst');
  const ids = Array.from({ length: n }, (_, i) => `${batch}-${i}`);
  const calls = await serverCallsMeter();
  const started = performance.now();
  const cpu = cpuMeter();
  await Promise.all(ids.map((id, i) => oneOrder(client, id, i, submit)));
  const seconds = (performance.now() - started) / 1000;
  const cpuSpent = cpu();
  const serverCalls = await calls(n);
  const handles = ids.flatMap((id) => [
    client.workflow.getHandle(orderWorkflowId(id)),
    client.workflow.getHandle(cateringMatchWorkflowId(id)),
  ]);
  const transitions = await transitionsOf(handles);
  return {
    seconds,
    ordersPerSecond: n / seconds,
    transitions,
    perOrder: transitions / n,
    transitionsPerSecond: transitions / seconds,
    cpuPerPair: perPair(cpuSpent, n),
    serverCalls,
  };
}

export type BurstResult = Awaited<ReturnType<typeof burst>>;

/** The burst's state transitions per second over the floor's, from the first round. */
export const burstRows = (transitionRatio: number): Row[] => [
  ['burst: transition ratio to floor', transitionRatio.toFixed(2), '>= 0.90', transitionRatio >= 0.9],
];
