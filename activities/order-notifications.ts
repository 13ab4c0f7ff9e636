import { log } from '@temporalio/activity';
import type { Ledger } from '../src/infra/jsonl-ledger';
import type { OrderConfirmedNotice } from '../src/contract';

export interface PublishedConfirmation extends OrderConfirmedNotice {
  publishedAt: string;
}

const sameNotice = (a: OrderConfirmedNotice, b: OrderConfirmedNotice): boolean =>
  a.orderId === b.orderId &&
  a.menuId === b.menuId &&
  a.customerId === b.customerId &&
  a.amount === b.amount &&
  a.currency === b.currency;

/**
 * Tells the outside world an order is confirmed. Keyed by order id: a retried or replayed activity
 * publishes nothing twice.
 */
export const createOrderNotificationActivities = (outbox: Ledger<PublishedConfirmation>) => ({
  // Synchronous file writes: the record is on disk before the activity reports success.
  publishOrderConfirmed(notice: OrderConfirmedNotice): Promise<void> {
    const { value: first, firstTime } = outbox.recordOnce(notice.orderId, {
      ...notice,
      publishedAt: new Date().toISOString(),
    });
    if (firstTime) log.info('OrderConfirmed published', { ...notice });
    // A retry repeats the notice; a different one for the same order is a second decision, never published.
    else if (!sameNotice(first, notice))
      log.error('order already confirmed with other content; the first confirmation stands', { ...notice });
    return Promise.resolve();
  },
});
