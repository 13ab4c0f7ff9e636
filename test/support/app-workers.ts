import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createAlertActivities } from '../../activities/alerts';
import type { RaisedAlert } from '../../activities/alerts';
import { createCreditCardValidatorActivities } from '../../activities/credit-card-validator';
import type { FaultInjection } from '../../activities/credit-card-validator';
import { createMatchOfferActivities } from '../../activities/match-offer';
import { createOrderNotificationActivities } from '../../activities/order-notifications';
import type { PublishedConfirmation } from '../../activities/order-notifications';
import { MemoryLedger } from '../../src/infra/jsonl-ledger';
import { TaskQueue } from '../../src/contract';
import type { CreditCardValidationResult } from '../../src/contract';
import { testDataConverter } from './codec';
import { createTestWorker } from './environments';

/**
 * The app's two workers in this process, as `npm run worker` and `npm run validator` build them but with
 * in-memory ledgers: the order worker on `orders` and the real validator on `credit-card-validation`.
 * `faults` is read on every request, so a caller can change it while the workers run.
 */
export async function createAppWorkers(
  env: TestWorkflowEnvironment,
  faults: FaultInjection = {},
): Promise<{ orders: Worker; validator: Worker }> {
  const orders = await createTestWorker(env, { activities: orderWorkerActivities(env) });
  return { orders, validator: await createValidatorWorker(env, faults) };
}

/** The order worker's activities, as `npm run worker` registers them, with in-memory ledgers. */
export const orderWorkerActivities = (env: TestWorkflowEnvironment) => ({
  ...createAlertActivities(new MemoryLedger<RaisedAlert>()),
  ...createOrderNotificationActivities(new MemoryLedger<PublishedConfirmation>()),
  ...createMatchOfferActivities(env.client),
});

/** The real validator on `credit-card-validation`, with an in-memory ledger. */
export function createValidatorWorker(
  env: TestWorkflowEnvironment,
  faults: FaultInjection = {},
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    dataConverter: testDataConverter(),
    taskQueue: TaskQueue.creditCardValidation,
    activities: createCreditCardValidatorActivities({
      ledger: new MemoryLedger<CreditCardValidationResult>(),
      faults,
    }),
  });
}
