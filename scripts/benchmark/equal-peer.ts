/**
 * The equal-peer phase: pairs of the feature-equal peer (equal-peer-workflows.ts) started at once, driven as the peer
 * is (the order, its match, both confirmations, then both results), with the promises a run names: every one for the
 * equal peer, one alone for its cost.
 */
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { CustomerIdAttribute, OrderStatusAttribute } from '../../src/contract/names';
import { uniqueId } from '../../test/support/environments';
import {
  EqualPeerMatch,
  EqualPeerOrder,
  equalPeerCatererConfirmed,
  equalPeerCustomerConfirmed,
  equalPeerMatchId,
  equalPeerOrderId,
  equalPeerSubmitOrder,
} from './equal-peer-workflows';
import type { EqualPeerOrderInput, PeerPromises } from './equal-peer-workflows';
import { measurePairs } from './measure';
import type { PeerResult } from './peer';

/** Starts the order as the promises say: by update-with-start answered by the order, or by a plain start. */
async function startOrder(client: Client, taskQueue: string, input: EqualPeerOrderInput) {
  const options = {
    taskQueue,
    workflowId: equalPeerOrderId(input.orderId),
    args: [input] as [EqualPeerOrderInput],
    ...(input.promises.statusUpserts
      ? {
          typedSearchAttributes: [
            { key: OrderStatusAttribute, value: 'Pending' },
            { key: CustomerIdAttribute, value: input.customerId },
          ],
        }
      : {}),
  };
  if (!input.promises.updateWithStart) return client.workflow.start(EqualPeerOrder, options);
  const startWorkflowOperation = new WithStartWorkflowOperation(EqualPeerOrder, {
    ...options,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  await client.workflow.executeUpdateWithStart(equalPeerSubmitOrder, {
    args: [input],
    startWorkflowOperation,
  });
  return startWorkflowOperation.workflowHandle();
}

/**
 * Both confirmations for menu A: to the match the client started, or, when the order hands its menus over, by
 * signal-with-start, since the order's offer may start the match first.
 */
async function confirmMenu(client: Client, taskQueue: string, orderId: string, promises: PeerPromises) {
  const options = {
    taskQueue,
    workflowId: equalPeerMatchId(orderId),
    args: [orderId, promises] as [string, PeerPromises],
  };
  if (promises.menusHandedOver) {
    for (const signal of [equalPeerCustomerConfirmed, equalPeerCatererConfirmed])
      await client.workflow.signalWithStart(EqualPeerMatch, {
        ...options,
        signal,
        signalArgs: [{ menuId: 'A' }],
      });
    return client.workflow.getHandle(options.workflowId);
  }
  const match = await client.workflow.start(EqualPeerMatch, options);
  await match.signal(equalPeerCustomerConfirmed, { menuId: 'A' });
  await match.signal(equalPeerCatererConfirmed, { menuId: 'A' });
  return match;
}

/** `n` pairs with `promises`, on the workers of `taskQueue`; `client` carries the codec when encryption is one. */
export function equalPeerBurst(
  client: Client,
  n: number,
  taskQueue: string,
  promises: PeerPromises,
): Promise<PeerResult> {
  const batch = uniqueId('equal-peer');
  return measurePairs(
    client,
    n,
    async (i) => {
      const orderId = `${batch}-${i}`;
      const input = {
        orderId,
        customerId: `customer-${i % 20}`,
        amount: 40 + (i % 100),
        menuId: 'A',
        promises,
      };
      const order = await startOrder(client, taskQueue, input);
      const match = await confirmMenu(client, taskQueue, orderId, promises);
      await match.result();
      if ((await order.result()) !== 'Confirmed')
        throw new Error(`equal peer order ${orderId} did not confirm`);
    },
    (i) => [equalPeerOrderId(`${batch}-${i}`), equalPeerMatchId(`${batch}-${i}`)],
  );
}
