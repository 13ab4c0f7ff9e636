import type { Client } from '@temporalio/client';
import { submitOrder } from '../../src/clients/order-client';

const card = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };

/**
 * Submits one order per id, `width` at a time, each offering two menus (A by caterer-anna, B by caterer-ben) and
 * with a good card, so that each validates and then waits for its confirmations: open orders with open matches.
 */
export async function openOrders(client: Client, ids: string[], width = 25): Promise<void> {
  for (let i = 0; i < ids.length; i += width)
    await Promise.all(
      ids.slice(i, i + width).map((orderId, j) =>
        submitOrder(client, {
          orderId,
          customerId: `customer-${(i + j) % 50}`,
          amount: 40 + ((i + j) % 100),
          currency: 'EUR',
          card,
          menus: [
            { menuId: 'A', catererId: 'caterer-anna' },
            { menuId: 'B', catererId: 'caterer-ben' },
          ],
        }),
      ),
    );
}
