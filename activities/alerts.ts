import { log } from '@temporalio/activity';
import type { Ledger } from '../src/infra/jsonl-ledger';
import type { OperationsAlert } from '../src/contract';

export interface RaisedAlert extends OperationsAlert {
  raisedAt: string;
}

/** Alerts for the operations team: a log line and an idempotent JSON-lines record an operator can read. */
export const createAlertActivities = (alerts: Ledger<RaisedAlert>) => ({
  // Synchronous file writes: the record is on disk before the activity reports success.
  raiseAlert(alert: OperationsAlert): Promise<void> {
    const { value: first, firstTime } = alerts.recordOnce(alert.alertId, {
      ...alert,
      raisedAt: new Date().toISOString(),
    });
    if (firstTime) log.warn(`ALERT ${alert.kind}: ${alert.message}`, { ...alert });
    // A retry repeats the alert word for word; another alert under a used id would otherwise vanish.
    else if (first.kind !== alert.kind || first.orderId !== alert.orderId || first.message !== alert.message)
      log.error('alert id already used for another alert; the first one stands', { ...alert });
    return Promise.resolve();
  },
});
