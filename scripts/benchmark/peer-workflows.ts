/**
 * The benchmark's peer: the same business process as a user would first write it from the Temporal samples, with
 * none of this project's machinery (no input checks, patches, metrics, visibility updates or encryption). An Order
 * validates its card by activity, waits for ConfirmOrder and publishes; a match waits for both confirmations and
 * signals the order. The order flow's pairs/s is judged against this one's, on the same server in the same run.
 * Bundled on its own into the benchmark's peer worker; never deployed.
 */
import {
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';

export const peerTaskQueue = 'benchmark-peer';

export interface PeerActivities {
  validateCard(orderId: string): Promise<boolean>;
  publishConfirmation(orderId: string, menuId: string): Promise<void>;
}

export interface PeerOrderInput {
  orderId: string;
  amount: number;
  menuId: string;
}

export const peerConfirmOrder = defineSignal<[{ menuId: string }]>('ConfirmOrder');
export const peerCustomerConfirmed = defineSignal<[{ menuId: string }]>('CustomerConfirmedMenu');
export const peerCatererConfirmed = defineSignal<[{ menuId: string }]>('CatererConfirmedMenu');

const { validateCard, publishConfirmation } = proxyActivities<PeerActivities>({
  startToCloseTimeout: '10 seconds',
});

export const peerOrderId = (orderId: string): string => `peer-order-${orderId}`;
export const peerMatchId = (orderId: string): string => `peer-match-${orderId}`;

export async function PeerOrder(input: PeerOrderInput): Promise<string> {
  let confirmedMenu: string | undefined;
  setHandler(peerConfirmOrder, ({ menuId }) => void (confirmedMenu ??= menuId));
  if (!(await validateCard(input.orderId))) return 'Rejected';
  await condition(() => confirmedMenu !== undefined);
  await publishConfirmation(input.orderId, confirmedMenu!);
  return 'Confirmed';
}

export async function PeerMatch(orderId: string): Promise<string> {
  let customer: string | undefined;
  let caterer: string | undefined;
  setHandler(peerCustomerConfirmed, ({ menuId }) => void (customer = menuId));
  setHandler(peerCatererConfirmed, ({ menuId }) => void (caterer = menuId));
  await condition(() => customer !== undefined && customer === caterer);
  await getExternalWorkflowHandle(peerOrderId(orderId)).signal(peerConfirmOrder, { menuId: customer! });
  return 'Matched';
}
