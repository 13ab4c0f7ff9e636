import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { orderWorkflowId } from '../../src/contract';

const toolsDir = resolve(__dirname, '..', '..', '.temporal', 'tools');

/**
 * The executables `scripts/provision.sh` put in place; where one is missing the SDK downloads its own build,
 * which works for users with internet access.
 */
export function temporalCliExecutable(): EphemeralServerExecutable {
  const path = process.env.TEMPORAL_CLI_PATH ?? join(toolsDir, 'bin', 'temporal');
  return existsSync(path) ? { type: 'existing-path', path } : { type: 'cached-download' };
}

export function testServerExecutable(): EphemeralServerExecutable {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH ?? join(toolsDir, 'test-server', 'temporal-test-server');
  return existsSync(path) ? { type: 'existing-path', path } : { type: 'cached-download' };
}

export const temporalCliPath = (): string => {
  const exe = temporalCliExecutable();
  if (exe.type !== 'existing-path') throw new Error('no provisioned temporal CLI: run `npm run provision`');
  return exe.path;
};

/** The Chromium `scripts/provision.sh` found or installed, for the Web UI test. */
export function chromiumPath(): string {
  const recorded = join(toolsDir, 'chromium.path');
  const path =
    process.env.CHROMIUM_PATH ?? (existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : '');
  if (!path || !existsSync(path))
    throw new Error('no Chromium: run `npm run provision` (or set CHROMIUM_PATH)');
  return path;
}

/** The README's `temporal workflow start` of an Order, its plain JSON as the input: the arguments after `temporal`. */
export const startOrderArgs = (input: { orderId: string }): string[] => [
  'workflow',
  'start',
  '--type',
  'Order',
  '--task-queue',
  'orders',
  '--workflow-id',
  orderWorkflowId(input.orderId),
  '--input',
  JSON.stringify(input),
];
