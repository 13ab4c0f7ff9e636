import { appendFileSync } from 'node:fs';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { createCreditCardValidatorActivities } from '../../activities/credit-card-validator';
import type { FaultInjection } from '../../activities/credit-card-validator';
import { dataFiles } from '../infra/data-files';
import { runWorker, shutdownGraceFromEnv, workerTuningFromEnv } from '../infra/run-worker';
import { TaskQueue } from '../contract';
import { openValidatorLedger } from '../infra/validator-ledger';
import type { ValidatorAnswer } from '../infra/validator-ledger';

type Env = Record<string, string | undefined>;

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false' || raw === 'no') return false;
  if (raw === '1' || raw === 'true' || raw === 'yes') return true;
  throw new Error(`${name}=${env[name]} is not a boolean: use 1/true/yes or 0/false/no`);
}

function number(env: Env, name: string, valid: (n: number) => boolean, expected: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!valid(n)) throw new Error(`${name}=${raw} is not valid: expected ${expected}`);
  return n;
}

/**
 * VALIDATOR_LATENCY_MS, VALIDATOR_DECISION_LATENCY_MS, VALIDATOR_ERROR_RATE, VALIDATOR_HANG, VALIDATOR_REFUSE;
 * nonsense stops the process.
 */
function faultsFromEnv(env: Env): FaultInjection {
  const faults: FaultInjection = { hang: flag(env, 'VALIDATOR_HANG'), refuse: flag(env, 'VALIDATOR_REFUSE') };
  const latencyMs = number(
    env,
    'VALIDATOR_LATENCY_MS',
    (n) => Number.isInteger(n) && n >= 0,
    'whole milliseconds >= 0',
  );
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const decisionLatencyMs = number(
    env,
    'VALIDATOR_DECISION_LATENCY_MS',
    (n) => Number.isInteger(n) && n >= 0,
    'whole milliseconds >= 0',
  );
  if (decisionLatencyMs !== undefined) faults.decisionLatencyMs = decisionLatencyMs;
  const errorRate = number(env, 'VALIDATOR_ERROR_RATE', (n) => n >= 0 && n <= 1, 'a probability from 0 to 1');
  if (errorRate !== undefined) faults.errorRate = errorRate;
  return faults;
}

/**
 * VALIDATOR_CLOCK_OFFSET ('100 days', '-1 hour'): the validator's today, moved, so that a test or demo can let a
 * card expire between two deliveries of one request; nonsense stops the process.
 */
function clockFromEnv(env: Env): { now?: () => Date } {
  const raw = env.VALIDATOR_CLOCK_OFFSET?.trim();
  if (raw === undefined || raw === '') return {};
  let offsetMs: number;
  try {
    offsetMs = msToNumber(raw as Duration);
  } catch {
    offsetMs = Number.NaN;
  }
  if (!Number.isFinite(offsetMs))
    throw new Error(`VALIDATOR_CLOCK_OFFSET=${raw} is not valid: expected a duration such as '100 days'`);
  return { now: () => new Date(Date.now() + offsetMs) };
}

/** The CreditCardValidator: its own process on the `credit-card-validation` task queue, deployable anywhere. */
async function main(): Promise<void> {
  // Every setting is checked before anything is opened or connected: a typo fails fast, whatever else is broken.
  const faults = faultsFromEnv(process.env);
  const clock = clockFromEnv(process.env);
  shutdownGraceFromEnv(process.env);
  workerTuningFromEnv(process.env);
  const answersFile = dataFiles.validatorAnswers();
  console.log(`validator faults: ${JSON.stringify(faults)}`);
  // VALIDATOR_DATABASE_URL (PostgreSQL) for instances that share one ledger; else a SQLite file in the data folder.
  const { ledger, where, migrated } = await openValidatorLedger({
    databaseUrl: process.env.VALIDATOR_DATABASE_URL,
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
