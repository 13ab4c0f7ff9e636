import { proxyActivities } from '@temporalio/workflow';
import type { createAlertActivities } from '../activities/alerts';

/**
 * The one way both workflows tell the operations team. raiseAlert is idempotent by alertId, so retrying until it
 * lands is safe: an alert is never dropped, and a long outage of the alert sink is retried at most every 5 minutes.
 */
export const { raiseAlert } = proxyActivities<ReturnType<typeof createAlertActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
