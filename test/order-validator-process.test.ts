import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Configuration is checked before the process connects anywhere, so a typo fails fast instead of running a
// validator with faults nobody asked for.
const runValidator = (env: Record<string, string>) =>
  spawnSync(
    process.execPath,
    [require.resolve('tsx/cli'), join(__dirname, '..', 'src', 'bin', 'validator-worker.ts')],
    {
      env: {
        PATH: process.env.PATH ?? '',
        // Node flags the test run was given (a CPU profile, say) reach the validator too.
        ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
        CATERING_DATA_DIR: mkdtempSync(join(tmpdir(), 'validator-')),
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        ...env,
      },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );

test.each([
  [{ VALIDATOR_HANG: 'maybe' }, 'VALIDATOR_HANG=maybe is not a boolean: use 1/true/yes or 0/false/no'],
  [{ VALIDATOR_REFUSE: 'on' }, 'VALIDATOR_REFUSE=on is not a boolean'],
  [
    { VALIDATOR_ERROR_RATE: '1.5' },
    'VALIDATOR_ERROR_RATE=1.5 is not valid: expected a probability from 0 to 1',
  ],
  [{ VALIDATOR_LATENCY_MS: '2s' }, 'VALIDATOR_LATENCY_MS=2s is not valid: expected whole milliseconds >= 0'],
  [
    { WORKER_SHUTDOWN_GRACE: 'soon' },
    "WORKER_SHUTDOWN_GRACE=soon is not valid: expected a duration such as '30 seconds'",
  ],
])('the validator exits 1 on nonsense fault settings %p', (env, message) => {
  const run = runValidator(env);
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(message);
});
