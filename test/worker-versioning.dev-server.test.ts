import { describeVersionRollout } from './support/version-rollout';
import { createDevServerEnv } from './support/environments';

describeVersionRollout('the dev server', async () => {
  const env = await createDevServerEnv();
  return { env, tearDown: () => env.teardown() };
});
