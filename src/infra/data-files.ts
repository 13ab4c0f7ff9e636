import { join } from 'node:path';
import { dataDir } from './config';

// The local sinks live in one folder (CATERING_DATA_DIR) so a demo or test can point all processes at the same place.

export const dataFiles = {
  alerts: () => join(dataDir(), 'alerts.jsonl'),
  confirmations: () => join(dataDir(), 'order-confirmations.jsonl'),
  /** The JSON-lines ledger of older versions, migrated into the database on the validator's first start. */
  validatorLedger: () => join(dataDir(), 'validator-ledger.jsonl'),
  /** The validator's ledger and answer audit when VALIDATOR_DATABASE_URL is not set. */
  validatorDatabase: () => join(dataDir(), 'validator.sqlite'),
  /** Every answer the validator sent, redeliveries included: the audit trail that no request was answered two ways. */
  validatorAnswers: () => join(dataDir(), 'validator-answers.jsonl'),
};
