/** The burst phase: `--orders` orders with their matches and both menu confirmations, started at once. */
import type { Client } from '@temporalio/client';
import { cateringMatchWorkflowId, orderWorkflowId } from '../../src/contract';
import { uniqueId } from '../../test/support/environments';
import { measurePairs } from './measure';
import { oneOrder } from './order-flow';
import type { Settings } from './settings';
import type { Row } from './table';

/** The order flow's pairs, as `oneOrder` drives each, measured as the peers are (`measurePairs`). */
export async function burst(client: Client, n: number, submit: Settings['submit']) {
  const batch = uniqueId('burst');
  const idOf = (i: number) => `${batch}-${i}`;
  const measured = await measurePairs(
    client,
    n,
    async (i) => {
      await oneOrder(client, idOf(i), i, submit);
    },
    (i) => [orderWorkflowId(idOf(i)), cateringMatchWorkflowId(idOf(i))],
  );
  // The keys the JSON has always had for the order flow.
  return {
    seconds: measured.seconds,
    ordersPerSecond: measured.pairsPerSecond,
    transitions: measured.transitions,
    perOrder: measured.perPair,
    transitionsPerSecond: measured.transitions / measured.seconds,
    cpuPerPair: measured.cpuPerPair,
    serverCalls: measured.serverCalls,
  };
}

export type BurstResult = Awaited<ReturnType<typeof burst>>;

/** The burst's state transitions per second over the floor's, from the first round. */
export const burstRows = (transitionRatio: number): Row[] => [
  ['burst: transition ratio to floor', transitionRatio.toFixed(2), '>= 0.90', transitionRatio >= 0.9],
];
