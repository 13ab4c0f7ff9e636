import { createAlertActivities } from '../../activities/alerts';
import type { RaisedAlert } from '../../activities/alerts';
import { createMatchOfferActivities } from '../../activities/match-offer';
import { createOrderNotificationActivities } from '../../activities/order-notifications';
import type { PublishedConfirmation } from '../../activities/order-notifications';
import { connectClient } from '../clients/connection';
import { defaultDeploymentName, deploymentConfig, tracingConfig } from '../infra/config';
import { dataFiles } from '../infra/data-files';
import { JsonlLedger } from '../infra/jsonl-ledger';
import { runWorker } from '../infra/run-worker';
import { TaskQueue } from '../contract';
import { preloadedWorkflowModules, workflowCode } from '../infra/workflow-bundle';
import {
  bootstrapCurrentVersion,
  orderWorkerDeployment,
  reportPinnedElsewhere,
} from '../infra/worker-deployment';

/** The order worker: both process managers and their local side effects, on the `orders` task queue. */
async function main(): Promise<void> {
  const workflowsPath = require.resolve('../../workflows');
  // Tracing adds the OpenTelemetry workflow interceptors, which a worker can only bundle itself: a prebuilt bundle
  // would silently drop them (and with them every workflow span).
  const { code, description } = tracingConfig()
    ? { code: { workflowsPath }, description: 'workflows bundled at start, with the tracing interceptors' }
    : workflowCode(workflowsPath);
  console.log(`${TaskQueue.orders}: ${description}`);
  // For the order's hand-over of its menus, which signals-with-start its match.
  const client = await connectClient();
  const { version, bootstrap } = deploymentConfig();
  const log = (line: string) => console.log(`${TaskQueue.orders}: ${line}`);
  await runWorker(
    {
      taskQueue: TaskQueue.orders,
      ...code,
      ...('workflowsPath' in code ? { bundlerOptions: { preloadModules: preloadedWorkflowModules() } } : {}),
      ...(version ? { workerDeploymentOptions: orderWorkerDeployment(version) } : {}),
      activities: {
        ...createAlertActivities(new JsonlLedger<RaisedAlert>(dataFiles.alerts())),
        ...createOrderNotificationActivities(
          new JsonlLedger<PublishedConfirmation>(dataFiles.confirmations()),
        ),
        ...createMatchOfferActivities(client),
      },
    },
    async () => {
      await Promise.all([
        version && bootstrap ? bootstrapCurrentVersion(client, version, log) : undefined,
        reportPinnedElsewhere(client, version?.deploymentName ?? defaultDeploymentName, version, (line) =>
          console.warn(`${TaskQueue.orders}: ${line}`),
        ),
      ]);
    },
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
