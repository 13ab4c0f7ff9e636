import { createAlertActivities } from '../activities/alerts';
import type { RaisedAlert } from '../activities/alerts';
import { createOrderNotificationActivities } from '../activities/order-notifications';
import type { PublishedConfirmation } from '../activities/order-notifications';
import { dataFiles } from './data-files';
import { JsonlLedger } from './jsonl-ledger';
import { runWorker } from './run-worker';
import { TaskQueue } from './shared';
import { workflowCode } from './workflow-bundle';

/** The order worker: both process managers and their local side effects, on the `orders` task queue. */
async function main(): Promise<void> {
  const { code, description } = workflowCode(require.resolve('../workflows'));
  console.log(`${TaskQueue.orders}: ${description}`);
  await runWorker({
    taskQueue: TaskQueue.orders,
    ...code,
    activities: {
      ...createAlertActivities(new JsonlLedger<RaisedAlert>(dataFiles.alerts())),
      ...createOrderNotificationActivities(new JsonlLedger<PublishedConfirmation>(dataFiles.confirmations())),
    },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
