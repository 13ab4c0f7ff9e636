/** The one server a run measures on: a fresh dev server, or a fresh `scripts/cluster.sh` cluster, removed after. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { clusterEnvironment, TestCluster } from '../../test/support/cluster';
import { createDevServerEnv } from '../../test/support/environments';
import { freePort } from '../../test/support/prometheus';
import { countServerCallsOn } from './server-calls';
import type { Settings } from './settings';

/** A fresh dev server, its calls counted (server-calls.ts); one that misses the SDK's 5 s start-up window on a busy machine is started again. */
async function devServer(searchAttributeCache: boolean, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      const metricsPort = await freePort();
      const env = await createDevServerEnv({ searchAttributeCache, metricsPort });
      countServerCallsOn(metricsPort);
      return env;
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

/**
 * Runs `use` against the server `--target` names: the dev server (one process, SQLite) or the production layout
 * (PostgreSQL and four Temporal services as processes, on ports and in a folder of its own); stopped after.
 */
export async function withServer<T>(
  settings: Settings,
  log: (line: string) => void,
  use: (env: TestWorkflowEnvironment) => Promise<T>,
): Promise<T> {
  const cluster = settings.server === 'cluster' ? new TestCluster() : undefined;
  if (cluster) {
    log(`starting a Temporal cluster on ${cluster.address} (scripts/cluster.sh, folder ${cluster.dir})`);
    await cluster.start();
  }
  try {
    const env = cluster ? await clusterEnvironment(cluster) : await devServer(settings.searchAttributeCache);
    log(
      `target: ${settings.server}` +
        (cluster
          ? ''
          : `, search-attribute cache ${settings.searchAttributeCache ? 'on (as a cluster)' : 'off (the dev server default)'}`),
    );
    try {
      return await use(env);
    } finally {
      await env.teardown();
    }
  } finally {
    if (cluster) {
      await cluster.stop();
      cluster.remove();
    }
  }
}
