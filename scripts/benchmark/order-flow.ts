/** One order with its match as the business drives it, shared by the burst and the open loop. */
import type { Client } from '@temporalio/client';
import { publishMenuEvent } from '../../src/clients/catering-match-client';
import { startOrder } from '../../src/clients/order-client';
import { placeOrder } from '../../src/clients/place-order';
import { cateringMatchWorkflowId, orderWorkflowId } from '../../src/contract';
import type { CateringMatchState, OrderState } from '../../src/contract';
import type { Settings } from './settings';

const good = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };
export const orderInput = (orderId: string, i: number) => ({
  orderId,
  customerId: `customer-${i % 20}`,
  amount: 40 + (i % 100),
  currency: 'EUR',
  card: good,
  menus: [{ menuId: 'A', catererId: 'caterer-anna' }],
});

/** How an order is submitted: its run id once the submission is in (the client library, or the desk's API). */
export type Submit = (order: ReturnType<typeof orderInput>) => Promise<string>;

const submitBy = (client: Client, how: Settings['submit']): Submit =>
  how === 'update'
    ? async (order) => (await placeOrder(client, order)).order.runId
    : async (order) => (await startOrder(client, order)).firstExecutionRunId;

/**
 * Submits one order with its match and both confirmations, as the business does (four client calls), then waits
 * for both workflows' results. `lastConfirmationAt` is taken when the caterer's confirmation is about to be
 * published, so the confirmation latency includes that call: the hop from the caterer to the match, the match's
 * task, its ConfirmOrder signal to the order and the match's task that records it delivered.
 */
export async function oneOrder(
  client: Client,
  orderId: string,
  i: number,
  submit: Settings['submit'] | Submit,
): Promise<{ submitToConfirmedMs: number; confirmLatencyMs: number; clientCallsMs: number }> {
  const submittedAt = Date.now();
  const orderRunId = await (typeof submit === 'function' ? submit : submitBy(client, submit))(
    orderInput(orderId, i),
  );
  await publishMenuEvent(client, 'CustomerConfirmedMenu', { orderId, menuId: 'A', eventId: `${orderId}-c` });
  const lastConfirmationAt = Date.now();
  const published = await publishMenuEvent(client, 'CatererConfirmedMenu', {
    orderId,
    menuId: 'A',
    catererId: 'caterer-anna',
    eventId: `${orderId}-k`,
  });
  const clientCallsMs = Date.now() - submittedAt;
  // Awaited by the runs the calls answered with, as the peer awaits the handles its starts returned.
  const match = (await client.workflow
    .getHandle(cateringMatchWorkflowId(orderId), published.runId)
    .result()) as CateringMatchState;
  const order = (await client.workflow
    .getHandle(orderWorkflowId(orderId), orderRunId)
    .result()) as OrderState;
  if (order.status !== 'Confirmed') throw new Error(`order ${orderId} ended ${order.status}`);
  const sentAt = Date.parse(match.confirmOrder?.sentAt ?? '');
  const confirmedAt = Date.parse(order.confirmation?.confirmedAt ?? '');
  return {
    submitToConfirmedMs: confirmedAt - submittedAt,
    confirmLatencyMs: sentAt - lastConfirmationAt,
    clientCallsMs,
  };
}
