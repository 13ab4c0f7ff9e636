/**
 * The benchmark's floor: the simplest workflow that does real work, one no-op activity. Whatever the server and the
 * worker cost per state transition, this pays it too, so the order flow is judged against it rather than in the
 * abstract. Bundled on its own into the benchmark's floor worker; never deployed.
 */
import { proxyActivities } from '@temporalio/workflow';

export const floorTaskQueue = 'benchmark-floor';

export interface FloorActivities {
  noop(): Promise<void>;
}

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });

/** One no-op activity, then done. */
export async function BenchmarkFloor(): Promise<void> {
  await noop();
}
