/** The peer phase: plain Order/CateringMatch pairs as the samples would write them, started at once. */
import type { Client } from '@temporalio/client';
import { uniqueId } from '../../test/support/environments';
import { measurePairs } from './measure';
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
export function peerBurst(client: Client, n: number) {
  const batch = uniqueId('peer');
  return measurePairs(
    client,
    n,
    async (i) => {
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
    },
    (i) => [peerOrderId(`${batch}-${i}`), peerMatchId(`${batch}-${i}`)],
  );
}

export type PeerResult = Awaited<ReturnType<typeof peerBurst>>;
