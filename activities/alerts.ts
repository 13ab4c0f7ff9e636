import { log } from '@temporalio/activity';
import type { Ledger } from '../src/jsonl-ledger';
import type { OperationsAlert } from '../src/shared';

export interface RaisedAlert extends OperationsAlert {
  raisedAt: string;
}

/** Alerts for the operations team: a log line and an idempotent JSON-lines record an operator can read. */
export const createAlertActivities = (alerts: Ledger<RaisedAlert>) => ({
  // Synchronous file writes: the record is on disk before the activity reports success.
  raiseAlert(alert: OperationsAlert): Promise<void> {
    const { firstTime } = alerts.recordOnce(alert.alertId, { ...alert, raisedAt: new Date().toISOString() });
    if (firstTime) log.warn(`ALERT ${alert.kind}: ${alert.message}`, { ...alert });
    return Promise.resolve();
  },
});
