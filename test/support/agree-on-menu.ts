import type { Client } from '@temporalio/client';
import { publishMenuEvent } from '../../src/clients/catering-match-client';
import type { PublishResult } from '../../src/clients/catering-match-client';

/**
 * The customer, then the menu's caterer, confirm it, each event with an id of its own (`<orderId>-c`, `<orderId>-k`):
 * the agreement most tests need to see an order confirmed. Answers as the caterer's event was published.
 */
export async function agreeOnMenu(
  client: Client,
  orderId: string,
  { menuId, catererId }: { menuId: string; catererId: string } = { menuId: 'A', catererId: 'caterer-anna' },
): Promise<PublishResult> {
  await publishMenuEvent(client, 'CustomerConfirmedMenu', { orderId, menuId, eventId: `${orderId}-c` });
  return publishMenuEvent(client, 'CatererConfirmedMenu', {
    orderId,
    menuId,
    catererId,
    eventId: `${orderId}-k`,
  });
}
