import { appendFileSync } from 'node:fs';
import { createCreditCardValidatorActivities } from '../../activities/credit-card-validator';
import { dataFiles } from '../infra/data-files';
import { validatorConfig, workerConfig } from '../infra/config';
import { runWorker } from '../infra/run-worker';
import { TaskQueue } from '../contract';
import { openValidatorLedger } from '../infra/validator-ledger';
import type { ValidatorAnswer } from '../infra/validator-ledger';

/** The CreditCardValidator: its own process on the `credit-card-validation` task queue, deployable anywhere. */
async function main(): Promise<void> {
  // Every setting is checked before anything is opened or connected: a typo fails fast, whatever else is broken.
  const { faults, clockOffsetMs, databaseUrl } = validatorConfig();
  workerConfig();
  // The validator's today, moved, so that a test or demo can let a card expire between two deliveries of one request.
  const clock = clockOffsetMs === undefined ? {} : { now: () => new Date(Date.now() + clockOffsetMs) };
  const answersFile = dataFiles.validatorAnswers();
  console.log(`validator faults: ${JSON.stringify(faults)}`);
  // VALIDATOR_DATABASE_URL (PostgreSQL) for instances that share one ledger; else a SQLite file in the data folder.
  const { ledger, where, migrated } = await openValidatorLedger({
    databaseUrl,
    sqlitePath: dataFiles.validatorDatabase(),
    jsonlPath: dataFiles.validatorLedger(),
  });
  console.log(
    `validator ledger: ${where}${migrated ? ` (${migrated} answers migrated from JSON lines)` : ''}`,
  );
  try {
    await runWorker({
      taskQueue: TaskQueue.creditCardValidation,
      activities: createCreditCardValidatorActivities({
        ledger,
        answers: async (answer: ValidatorAnswer) => {
          await ledger.recordAnswer(answer);
          appendFileSync(
            answersFile,
            JSON.stringify({ ...answer, answeredAt: new Date().toISOString() }) + '\n',
          );
        },
        faults,
        ...clock,
      }),
    });
  } finally {
    await ledger.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
