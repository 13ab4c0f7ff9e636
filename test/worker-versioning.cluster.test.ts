import { clusterEnvironment, TestCluster } from './support/cluster';
import { describeVersionRollout } from './support/version-rollout';

// Ports of its own, clear of the crash-recovery suite's cluster, which may run beside it.
describeVersionRollout('the PostgreSQL cluster (npm run cluster:start)', async () => {
  const cluster = new TestCluster(17533, 17599);
  await cluster.start();
  const env = await clusterEnvironment(cluster);
  return {
    env,
    tearDown: async () => {
      await env.teardown();
      await cluster.stop();
      cluster.remove();
    },
  };
});
