import { condition, defineQuery, setHandler } from '@temporalio/workflow';
import { confirmOrderSignal } from '../../src/contract';
import type { ConfirmOrder } from '../../src/contract';

export const receivedConfirmOrdersQuery = defineQuery<ConfirmOrder[]>('receivedConfirmOrders');

/** Test stand-in for Order at `order-<orderId>`: records every ConfirmOrder, duplicates included, and never ends. */
export async function OrderRecorder(): Promise<void> {
  const received: ConfirmOrder[] = [];
  setHandler(confirmOrderSignal, (command) => {
    received.push(command);
  });
  setHandler(receivedConfirmOrdersQuery, () => received);
  await condition(() => false);
}
