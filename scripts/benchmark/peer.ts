/** The peer phase: plain Order/CateringMatch pairs as the samples would write them, started at once. */
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { uniqueId } from '../../test/support/environments';
import { cpuMeter } from './cpu';
import { perPair, transitionsOf } from './measure';
import {
  PeerMatch,
  PeerOrder,
  peerCatererConfirmed,
  peerCustomerConfirmed,
  peerMatchId,
  peerOrderId,
  peerTaskQueue,
} from './peer-workflows';

/**
 * `n` pairs of the peer (scripts/benchmark/peer-workflows.ts) started at once, each as the business drives the order
 * flow: the order started, its match started, both confirmations signalled (four client calls), then both results.
 */
export async function peerBurst(client: Client, n: number) {
  const batch = uniqueId('peer');
  const started = performance.now();
  const cpu = cpuMeter();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const orderId = `${batch}-${i}`;
      const order = await client.workflow.start(PeerOrder, {
        taskQueue: peerTaskQueue,
        workflowId: peerOrderId(orderId),
        args: [{ orderId, amount: 40 + (i % 100), menuId: 'A' }],
      });
      const match = await client.workflow.start(PeerMatch, {
        taskQueue: peerTaskQueue,
        workflowId: peerMatchId(orderId),
        args: [orderId],
      });
      await match.signal(peerCustomerConfirmed, { menuId: 'A' });
      await match.signal(peerCatererConfirmed, { menuId: 'A' });
      await match.result();
      if ((await order.result()) !== 'Confirmed') throw new Error(`peer order ${orderId} did not confirm`);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuSpent = cpu();
  const handles = Array.from({ length: n }, (_, i) => [
    client.workflow.getHandle(peerOrderId(`${batch}-${i}`)),
    client.workflow.getHandle(peerMatchId(`${batch}-${i}`)),
  ]).flat();
  const transitions = await transitionsOf(handles);
  return {
    seconds,
    pairsPerSecond: n / seconds,
    transitions,
    perPair: transitions / n,
    cpuPerPair: perPair(cpuSpent, n),
  };
}

export type PeerResult = Awaited<ReturnType<typeof peerBurst>>;
