/**
 * `npm run benchmark`: the order flow measured beside a floor, on one fresh dev server in one run, with payload
 * encryption on as in production. Prints a table of figure, target and PASS/FAIL; a miss is a finding to write
 * down, never a failure of `npm test`.
 *
 *   --orders N          burst size: N orders with their matches, and 2N floor workflows (as many at once)
 *                       (default 500)
 *   --rate R            open-loop arrivals per second (default 20)
 *   --seconds S         duration of each open loop (default 60)
 *   --low-rate R        a second open loop below capacity (default: half the burst's orders/s; 0 skips it)
 *   --soak N            open orders (each with its match) in the soak, on one order worker process (default 10000)
 *   --heap-orders N     orders (each with its match) opened between the heap phase's two readings of the order
 *                       worker's workflow thread, all within its sticky cache (default 250)
 *   --phases LIST       which to run, of floor,burst,desk,peer,equal-peer,load,heap,soak,replay (default all; load needs burst
 *                       and floor, desk needs burst); equal-peer runs the feature-equal peer and the plain peer with
 *                       each promise alone; desk submits the burst's orders through the desk's HTTP API
 *   --rounds K          rounds of the peers and the burst, their order reversed round by round, so that the
 *                       machine's drift falls on all; the ratios and costs are the median of the rounds' (default 2)
 *   --validator-latency-ms L   the validator's answer time under the open-loop load (default 200)
 *   --replay-rounds K   passes over test/histories/release-2 for the replay figure (default 20)
 *   --replay-processes P       replay processes side by side (default: one per core)
 *   --json FILE         every figure as JSON
 *
 * Every worker (floor, peers, orders, validators) runs with the settings the app's processes take from the environment
 * (WORKFLOW_CACHE_SIZE, WORKFLOW_TASK_SLOTS, WORKFLOW_TASK_POLLERS, ACTIVITY_TASK_SLOTS, ACTIVITY_TASK_POLLERS).
 */
import { Client } from '@temporalio/client';
import type { FaultInjection } from '../activities/credit-card-validator';
import { floorPhase } from './benchmark/floor';
import { heapPhase } from './benchmark/heap';
import { loadPhase } from './benchmark/load';
import { replayPhase } from './benchmark/replay';
import { report } from './benchmark/report';
import { comparisonRounds } from './benchmark/rounds';
import { withServer } from './benchmark/server';
import { parseArgs } from './benchmark/settings';
import type { Phase } from './benchmark/settings';
import { soak } from './benchmark/soak';
import {
  benchmarkTuning,
  createBenchmarkAppWorkers,
  createEqualPeerWorkers,
  createFloorWorker,
  createPeerWorker,
  runningAll,
} from './benchmark/workers';

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  const runs = (phase: Phase) => settings.phases.has(phase);
  await withServer(settings, log, async (env) => {
    const faults: FaultInjection = {};
    const tuning = benchmarkTuning();
    // The peer as the samples write it: the default data converter, no codec.
    const plain = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    const { orders: orderWorker, validator } = await createBenchmarkAppWorkers(
      env,
      faults,
      settings.codec ? undefined : plain,
    );
    const workers = [await createPeerWorker(env), await createFloorWorker(env), orderWorker, validator];
    if (runs('equal-peer')) workers.push(...(await createEqualPeerWorkers(env)));
    const cacheSize = orderWorker.options.maxCachedWorkflows;
    log(
      `worker settings, the same for the floor, the peer, the orders and the validator: ${JSON.stringify(tuning)} ` +
        `(sticky cache ${cacheSize})`,
    );
    const clients = { app: settings.codec ? env.client : plain, encrypted: env.client, plain };
    const { floorResult, rounds, load } = await runningAll(workers, async () => {
      const floorResult = runs('floor') ? await floorPhase(env.client, settings.orders, log) : undefined;
      const rounds = await comparisonRounds(settings, clients, log);
      const burstResult = rounds[0]?.burst;
      const load =
        runs('load') && floorResult && burstResult
          ? await loadPhase(clients.app, settings, faults, { floor: floorResult, burst: burstResult }, log)
          : undefined;
      return { floorResult, rounds, load };
    });
    // The heap phase and the soak run the app's own processes (`node dist/src/bin/order-worker.js`), not the in-process workers above.
    const appProcesses = { address: env.address, namespace: env.namespace ?? 'default', log };
    const heapResult = runs('heap')
      ? await heapPhase(env.client, { orders: settings.heapOrders, ...appProcesses })
      : undefined;
    const soakResult = runs('soak')
      ? await soak(env.client, { orders: settings.soakOrders, ...appProcesses })
      : undefined;
    const replayResult = runs('replay') ? await replayPhase(settings, log) : undefined;
    report(
      settings,
      { floorResult, rounds, load, heapResult, soakResult, replayResult },
      { workerSettings: tuning, stickyCacheSize: cacheSize },
    );
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
