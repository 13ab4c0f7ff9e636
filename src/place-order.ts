import type { Client } from '@temporalio/client';
import { startCateringMatch } from './catering-events';
import { submitOrder } from './orders';
import type { Duration } from '@temporalio/common';
import type { OrderStored } from './shared';

/**
 * What the business calls submitting an order: the order is stored and, when it offers menus, its catering
 * match starts with them (so declines can end it and caterers are checked). Orders started by hand with
 * `temporal workflow start` get their match from the first menu event instead.
 */
export async function placeOrder(
  client: Client,
  input: unknown,
  options: { confirmWithin?: Duration } = {},
): Promise<{ order: OrderStored; match?: { workflowId: string; runId: string } }> {
  const order = await submitOrder(client, input);
  const { menus } = input as { menus?: { menuId: string; catererId: string }[] };
  if (!menus || menus.length === 0) return { order };
  const match = await startCateringMatch(client, { orderId: order.orderId, menus, ...options });
  return { order, match };
}
