/**
 * The app's own processes for the phases that measure them (the heap phase, the soak): the order worker and the
 * validator as `scripts/processes.sh` starts them, compiled, their metrics off (AppProcess's default), each with a
 * data folder of its own run; stopped and the folder removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { AppProcess } from '../../test/support/app-processes';

/** Where the app's processes connect, and the run's log. */
export interface AppProcessSettings {
  address: string;
  namespace: string;
  log: (line: string) => void;
}

export interface RunningAppProcesses {
  worker: AppProcess;
  validator: AppProcess;
  /** The order worker's sticky cache as it reports it, and its size. */
  stickyCache: string;
  cacheSize: number;
  /** When the processes were started (`performance.now()`), before either polled. */
  startedAt: number;
}

/** Runs `use` once both processes poll; `workerEnv` adds to the order worker's environment (an inspector, say). */
export async function withAppProcesses<T>(
  settings: AppProcessSettings,
  workerEnv: Record<string, string>,
  use: (processes: RunningAppProcesses) => Promise<T>,
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'app-data-'));
  const env = {
    TEMPORAL_ADDRESS: settings.address,
    TEMPORAL_NAMESPACE: settings.namespace,
    CATERING_DATA_DIR: dataDir,
  };
  const worker = new AppProcess('worker', { ...env, ...workerEnv }, { compiled: true });
  const validator = new AppProcess('validator', env, { compiled: true });
  const startedAt = performance.now();
  worker.start();
  validator.start();
  try {
    const polling = /orders: polling in namespace \S+, sticky cache of ((\d+)[^\n]*)/;
    await worker.logged(polling);
    await validator.logged(/credit-card-validation: polling/);
    const [, stickyCache = '', size] = polling.exec(worker.log) ?? [];
    return await use({ worker, validator, stickyCache, cacheSize: Number(size), startedAt });
  } finally {
    await Promise.all([worker.stop(), validator.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Waits until `query` counts `want` workflows, calling `watch` (which may throw) before each look. */
export async function waitForCount(
  client: Client,
  query: string,
  want: number,
  watch: () => void = () => {},
): Promise<void> {
  for (;;) {
    watch();
    const { count } = await client.workflow.count(query);
    if (count >= want) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
