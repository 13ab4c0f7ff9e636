import { log } from '@temporalio/activity';
import type { Ledger } from '../src/jsonl-ledger';
import type { OrderConfirmedNotice } from '../src/shared';

export interface PublishedConfirmation extends OrderConfirmedNotice {
  publishedAt: string;
}

/**
 * Tells the outside world an order is confirmed. Keyed by order id: a retried or replayed activity
 * publishes nothing twice.
 */
export const createOrderNotificationActivities = (outbox: Ledger<PublishedConfirmation>) => ({
  // Synchronous file writes: the record is on disk before the activity reports success.
  publishOrderConfirmed(notice: OrderConfirmedNotice): Promise<void> {
    const { firstTime } = outbox.recordOnce(notice.orderId, {
      ...notice,
      publishedAt: new Date().toISOString(),
    });
    if (firstTime) log.info('OrderConfirmed published', { ...notice });
    return Promise.resolve();
  },
});
