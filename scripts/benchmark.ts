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
 *   --phases LIST       which to run, of floor,burst,peer,load,soak,replay (default all; load needs burst and floor)
 *   --rounds K          rounds of the peer and the burst, which goes first alternating round by round, so that the
 *                       machine's drift falls on both; the ratios are the median of the rounds' (default 2)
 *   --validator-latency-ms L   the validator's answer time under the open-loop load (default 200)
 *   --replay-rounds K   passes over test/histories for the replay figure (default 20)
 *   --replay-processes P       replay processes side by side (default: one per core)
 *   --json FILE         every figure as JSON
 *
 * Every worker (floor, orders, validator) runs with the settings the app's processes take from the environment
 * (WORKFLOW_CACHE_SIZE, WORKFLOW_TASK_SLOTS, WORKFLOW_TASK_POLLERS, ACTIVITY_TASK_SLOTS, ACTIVITY_TASK_POLLERS).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FaultInjection } from '../activities/credit-card-validator';
import { publishMenuEvent } from '../src/clients/catering-match-client';
import { startOrder } from '../src/clients/order-client';
import { placeOrder } from '../src/clients/place-order';
import { cateringMatchWorkflowId, orderWorkflowId } from '../src/contract';
import type { CateringMatchState, OrderState } from '../src/contract';
import { clusterEnvironment, TestCluster } from '../test/support/cluster';
import { createDevServerEnv, uniqueId, workflowBundle } from '../test/support/environments';
import { cpuMeter } from './benchmark/cpu';
import type { CpuSplit } from './benchmark/cpu';
import { BenchmarkFloor, floorTaskQueue } from './benchmark/floor-workflow';
import type { ReplayChildReport } from './benchmark/replay-child';
import {
  PeerMatch,
  PeerOrder,
  peerCatererConfirmed,
  peerCustomerConfirmed,
  peerMatchId,
  peerOrderId,
  peerTaskQueue,
} from './benchmark/peer-workflows';
import { loadReplayHistories } from './benchmark/replay-histories';
import { soak } from './benchmark/soak';
import {
  benchmarkTuning,
  createBenchmarkAppWorkers,
  createFloorWorker,
  createPeerWorker,
} from './benchmark/workers';

const allPhases = ['floor', 'burst', 'peer', 'load', 'soak', 'replay'] as const;
type Phase = (typeof allPhases)[number];

interface Settings {
  orders: number;
  rate: number;
  seconds: number;
  /** undefined: half the burst's orders/s; 0: no second open loop. */
  lowRate?: number;
  soakOrders: number;
  phases: Set<Phase>;
  validatorLatencyMs: number;
  replayRounds: number;
  /** Rounds of the peer and the burst; odd rounds run the peer first, even ones the burst. */
  rounds: number;
  replayProcesses: number;
  json?: string;
  /** `dev`: a fresh dev server (one process, SQLite). `cluster`: a fresh `scripts/cluster.sh` cluster. */
  server: 'dev' | 'cluster';
  /**
   * How the burst and the open loop submit each order: `update`, as the CLI does (placeOrder: update-with-start,
   * answered by the order), or `start`, a plain start that waits for no answer (startOrder, as `temporal workflow
   * start`), to tell the submission's own cost from the rest of the flow.
   */
  submit: 'update' | 'start';
  /**
   * `on` (default): the dev server keeps its search-attribute cache, as a cluster does. `off`: the dev server's own
   * default, which reads the cluster metadata for every command that carries a custom search attribute.
   */
  searchAttributeCache: boolean;
}

function parseArgs(argv: string[]): Settings {
  const settings: Settings = {
    orders: Number(process.env.BENCH_ORDERS ?? 500),
    rate: 20,
    seconds: 60,
    soakOrders: 10_000,
    phases: new Set(allPhases),
    validatorLatencyMs: 200,
    replayRounds: 20,
    rounds: 2,
    replayProcesses: Math.max(1, availableParallelism()),
    server: 'dev',
    submit: 'update',
    searchAttributeCache: true,
  };
  const positive = (flag: string, raw: string | undefined): number => {
    const n = Number(raw);
    if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${flag} ${raw ?? ''}: expected a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    i++;
    switch (flag) {
      case '--orders':
        settings.orders = Math.round(positive(flag, value));
        break;
      case '--rate':
        settings.rate = positive(flag, value);
        break;
      case '--seconds':
        settings.seconds = positive(flag, value);
        break;
      case '--low-rate':
        settings.lowRate = Number(value);
        if (!(settings.lowRate >= 0) || !Number.isFinite(settings.lowRate))
          throw new Error(`${flag} ${value}: expected arrivals per second >= 0`);
        break;
      case '--soak':
        settings.soakOrders = Math.round(positive(flag, value));
        break;
      case '--phases': {
        const phases = (value ?? '').split(',');
        const unknown = phases.filter((p) => !allPhases.includes(p as Phase));
        if (unknown.length > 0)
          throw new Error(`--phases: unknown ${unknown.join(', ')} (of ${allPhases.join(',')})`);
        settings.phases = new Set(phases as Phase[]);
        break;
      }
      case '--validator-latency-ms':
        settings.validatorLatencyMs = Number(value);
        if (!(settings.validatorLatencyMs >= 0))
          throw new Error(`${flag} ${value}: expected milliseconds >= 0`);
        break;
      case '--rounds':
        settings.rounds = Math.round(positive(flag, value));
        break;
      case '--replay-rounds':
        settings.replayRounds = Math.round(positive(flag, value));
        break;
      case '--replay-processes':
        settings.replayProcesses = Math.round(positive(flag, value));
        break;
      case '--target':
        if (value !== 'dev' && value !== 'cluster')
          throw new Error(`--target ${value ?? ''}: expected dev or cluster`);
        settings.server = value;
        break;
      case '--submit':
        if (value !== 'update' && value !== 'start')
          throw new Error(`--submit ${value ?? ''}: update or start`);
        settings.submit = value;
        break;
      case '--search-attribute-cache':
        if (value !== 'on' && value !== 'off')
          throw new Error(`--search-attribute-cache ${value ?? ''}: on or off`);
        settings.searchAttributeCache = value === 'on';
        break;
      case '--json':
        if (!value) throw new Error('--json needs a file name');
        settings.json = value;
        break;
      default:
        throw new Error(
          `unknown argument ${flag}: use --orders, --rate, --seconds, --low-rate, --soak, --phases, --rounds, --validator-latency-ms, --replay-rounds, --replay-processes, --target, --submit, --search-attribute-cache, --json`,
        );
    }
  }
  if (settings.phases.has('load') && !(settings.phases.has('burst') && settings.phases.has('floor')))
    throw new Error('--phases: load is sized from burst and floor; name them too');
  return settings;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

async function transitionsOf(handles: WorkflowHandle[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < handles.length; i += 50) {
    const described = await Promise.all(handles.slice(i, i + 50).map((h) => h.describe()));
    for (const d of described) total += Number(d.raw.workflowExecutionInfo?.stateTransitionCount ?? 0);
  }
  return total;
}

const good = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };
const orderInput = (orderId: string, i: number) => ({
  orderId,
  customerId: `customer-${i % 20}`,
  amount: 40 + (i % 100),
  currency: 'EUR',
  card: good,
  menus: [{ menuId: 'A', catererId: 'caterer-anna' }],
});

/**
 * Submits one order with its match and both confirmations, as the business does (four client calls), then waits
 * for both workflows' results. `lastConfirmationAt` is taken when the caterer's confirmation is about to be
 * published, so the confirmation latency includes that call: the hop from the caterer to the match, the match's
 * task, its ConfirmOrder signal to the order and the match's task that records it delivered.
 */
async function oneOrder(
  client: Client,
  orderId: string,
  i: number,
  submit: Settings['submit'],
): Promise<{ submitToConfirmedMs: number; confirmLatencyMs: number; clientCallsMs: number }> {
  const submittedAt = Date.now();
  const orderRunId =
    submit === 'update'
      ? (await placeOrder(client, orderInput(orderId, i))).order.runId
      : (await startOrder(client, orderInput(orderId, i))).firstExecutionRunId;
  await publishMenuEvent(client, 'CustomerConfirmedMenu', { orderId, menuId: 'A', eventId: `${orderId}-c` });
  const lastConfirmationAt = Date.now();
  const published = await publishMenuEvent(client, 'CatererConfirmedMenu', {
    orderId,
    menuId: 'A',
    catererId: 'caterer-anna',
    eventId: `${orderId}-k`,
  });
  const clientCallsMs = Date.now() - submittedAt;
  // Awaited by the runs the calls answered with, as the peer awaits the handles its starts returned.
  const match = (await client.workflow
    .getHandle(cateringMatchWorkflowId(orderId), published.runId)
    .result()) as CateringMatchState;
  const order = (await client.workflow
    .getHandle(orderWorkflowId(orderId), orderRunId)
    .result()) as OrderState;
  if (order.status !== 'Confirmed') throw new Error(`order ${orderId} ended ${order.status}`);
  const sentAt = Date.parse(match.confirmOrder?.sentAt ?? '');
  const confirmedAt = Date.parse(order.confirmation?.confirmedAt ?? '');
  return {
    submitToConfirmedMs: confirmedAt - submittedAt,
    confirmLatencyMs: sentAt - lastConfirmationAt,
    clientCallsMs,
  };
}

/** `n` floor workflows started at once; the same worker settings as the order flow's. */
async function floor(client: Client, n: number) {
  const batch = uniqueId('floor');
  const started = performance.now();
  const handles = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      client.workflow.start(BenchmarkFloor, { taskQueue: floorTaskQueue, workflowId: `${batch}-${i}` }),
    ),
  );
  await Promise.all(handles.map((h) => h.result()));
  const seconds = (performance.now() - started) / 1000;
  const transitions = await transitionsOf(handles);
  return {
    workflows: n,
    seconds,
    workflowsPerSecond: n / seconds,
    transitions,
    perWorkflow: transitions / n,
    transitionsPerSecond: transitions / seconds,
  };
}

/** CPU milliseconds per pair, on each side: this process (client and workers) and the server. */
function perPair(cpu: CpuSplit, pairs: number) {
  return { workerMs: (cpu.workerSeconds * 1000) / pairs, serverMs: (cpu.serverSeconds * 1000) / pairs };
}

const cpuTotal = ({ workerMs, serverMs }: ReturnType<typeof perPair>) => workerMs + serverMs;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const cpuText = ({ workerMs, serverMs }: ReturnType<typeof perPair>) =>
  `client and workers ${workerMs.toFixed(1)} + server ${serverMs.toFixed(1)} = ${(workerMs + serverMs).toFixed(1)} ms`;

async function burst(client: Client, n: number, submit: Settings['submit']) {
  const batch = uniqueId('burst');
  const ids = Array.from({ length: n }, (_, i) => `${batch}-${i}`);
  const started = performance.now();
  const cpu = cpuMeter();
  await Promise.all(ids.map((id, i) => oneOrder(client, id, i, submit)));
  const seconds = (performance.now() - started) / 1000;
  const cpuSpent = cpu();
  const handles = ids.flatMap((id) => [
    client.workflow.getHandle(orderWorkflowId(id)),
    client.workflow.getHandle(cateringMatchWorkflowId(id)),
  ]);
  const transitions = await transitionsOf(handles);
  return {
    seconds,
    ordersPerSecond: n / seconds,
    transitions,
    perOrder: transitions / n,
    transitionsPerSecond: transitions / seconds,
    cpuPerPair: perPair(cpuSpent, n),
  };
}

/**
 * Runs `run(i)` at `rate` per second for `seconds`, whatever happens to earlier ones; samples the number in flight
 * every second, and how late each arrival left this process (a late load generator would flatter the server).
 */
async function arrivals<T>(rate: number, seconds: number, run: (i: number) => Promise<T>) {
  const total = Math.max(1, Math.round(rate * seconds));
  const results: T[] = [];
  const lateMs: number[] = [];
  const inFlightSamples: number[] = [];
  let inFlight = 0;
  const runs: Promise<void>[] = [];
  const start = performance.now();
  const sampler = setInterval(() => inFlightSamples.push(inFlight), 1000);
  try {
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lateMs.push(Math.max(0, performance.now() - due));
      inFlight++;
      runs.push(
        run(i).then((result) => {
          inFlight--;
          results.push(result);
        }),
      );
    }
    await Promise.all(runs);
  } finally {
    clearInterval(sampler);
  }
  const drainSeconds = (performance.now() - start) / 1000 - total / rate;
  // Flat: the last third of the arrivals holds no more in flight than the middle third (plus one second of arrivals).
  const during = inFlightSamples.slice(0, Math.max(1, Math.floor(seconds)));
  const third = Math.max(1, Math.floor(during.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const middle = mean(during.slice(third, 2 * third));
  const last = mean(during.slice(2 * third));
  return {
    total,
    results,
    p99ArrivalLateMs: percentile(lateMs, 99),
    inFlightMiddleThird: middle,
    inFlightLastThird: last,
    backlogFlat: last <= middle + rate,
    drainSeconds,
  };
}

/** Orders with their matches arriving at a fixed rate. */
async function openLoop(client: Client, rate: number, seconds: number, submit: Settings['submit']) {
  const batch = uniqueId('load');
  const run = await arrivals(rate, seconds, (i) => oneOrder(client, `${batch}-${i}`, i, submit));
  const of = (key: 'submitToConfirmedMs' | 'confirmLatencyMs' | 'clientCallsMs', p: number) =>
    percentile(
      run.results.map((r) => r[key]),
      p,
    );
  return {
    rate,
    orders: run.total,
    p50SubmitToConfirmedMs: of('submitToConfirmedMs', 50),
    p95SubmitToConfirmedMs: of('submitToConfirmedMs', 95),
    p99SubmitToConfirmedMs: of('submitToConfirmedMs', 99),
    p50ConfirmLatencyMs: of('confirmLatencyMs', 50),
    p95ConfirmLatencyMs: of('confirmLatencyMs', 95),
    p99ConfirmLatencyMs: of('confirmLatencyMs', 99),
    p50ClientCallsMs: of('clientCallsMs', 50),
    p99ClientCallsMs: of('clientCallsMs', 99),
    p99ArrivalLateMs: run.p99ArrivalLateMs,
    inFlightMiddleThird: run.inFlightMiddleThird,
    inFlightLastThird: run.inFlightLastThird,
    backlogFlat: run.backlogFlat,
    drainSeconds: run.drainSeconds,
  };
}

/**
 * Floor workflows arriving at a fixed rate: whether the server and worker can carry a given number of state
 * transitions per second at all, whatever workflow makes them.
 */
async function floorOpenLoop(client: Client, rate: number, seconds: number) {
  const batch = uniqueId('floor-load');
  const run = await arrivals(rate, seconds, async (i) => {
    const started = Date.now();
    const handle = await client.workflow.start(BenchmarkFloor, {
      taskQueue: floorTaskQueue,
      workflowId: `${batch}-${i}`,
    });
    await handle.result();
    return Date.now() - started;
  });
  return {
    rate,
    workflows: run.total,
    p50StartToCompletedMs: percentile(run.results, 50),
    p99StartToCompletedMs: percentile(run.results, 99),
    p99ArrivalLateMs: run.p99ArrivalLateMs,
    inFlightMiddleThird: run.inFlightMiddleThird,
    inFlightLastThird: run.inFlightLastThird,
    backlogFlat: run.backlogFlat,
    drainSeconds: run.drainSeconds,
  };
}

/**
 * `n` pairs of the peer (scripts/benchmark/peer-workflows.ts) started at once, each as the business drives the order
 * flow: the order started, its match started, both confirmations signalled (four client calls), then both results.
 */
async function peerBurst(client: Client, n: number) {
  const batch = uniqueId('peer');
  const started = performance.now();
  const cpu = cpuMeter();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const orderId = `${batch}-${i}`;
      const order = await client.workflow.start(PeerOrder, {
        taskQueue: peerTaskQueue,
        workflowId: peerOrderId(orderId),
        args: [{ orderId, amount: 40 + (i % 100), menuId: 'A' }],
      });
      const match = await client.workflow.start(PeerMatch, {
        taskQueue: peerTaskQueue,
        workflowId: peerMatchId(orderId),
        args: [orderId],
      });
      await match.signal(peerCustomerConfirmed, { menuId: 'A' });
      await match.signal(peerCatererConfirmed, { menuId: 'A' });
      await match.result();
      if ((await order.result()) !== 'Confirmed') throw new Error(`peer order ${orderId} did not confirm`);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuSpent = cpu();
  const handles = Array.from({ length: n }, (_, i) => [
    client.workflow.getHandle(peerOrderId(`${batch}-${i}`)),
    client.workflow.getHandle(peerMatchId(`${batch}-${i}`)),
  ]).flat();
  const transitions = await transitionsOf(handles);
  return {
    seconds,
    pairsPerSecond: n / seconds,
    transitions,
    perPair: transitions / n,
    cpuPerPair: perPair(cpuSpent, n),
  };
}

/** One round of the comparison: the peer's burst and the order flow's, back to back. */
interface Round {
  peer?: Awaited<ReturnType<typeof peerBurst>>;
  burst?: Awaited<ReturnType<typeof burst>>;
}

/**
 * `test/histories` replayed `rounds` times against the current workflow code, bundled once here: `processes`
 * replay processes side by side, each with one warm replay worker (the SDK replays one history at a time per
 * worker). Timed from `go` to the last process's report; worker creation and the warm-up pass are not.
 */
async function replay(rounds: number, processes: number) {
  const histories = loadReplayHistories().length;
  const { code } = await workflowBundle();
  const dir = mkdtempSync(join(tmpdir(), 'benchmark-replay-'));
  const codePath = join(dir, 'workflow-bundle.js');
  writeFileSync(codePath, code);
  const children: ChildProcess[] = [];
  try {
    const reports = Array.from({ length: processes }, (_, index) => {
      const child = fork(
        require.resolve('./benchmark/replay-child'),
        [codePath, String(rounds), String(index), String(processes)],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      children.push(child);
      let ready: () => void = () => undefined;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      const report = new Promise<ReplayChildReport>((resolve, reject) => {
        child.on('message', (message: 'ready' | ReplayChildReport) => {
          if (message === 'ready') ready();
          else if (message.error) reject(new Error(`replay process ${index}: ${message.error}`));
          else resolve(message);
        });
        child.on('exit', (code) => reject(new Error(`replay process ${index} exited ${code}`)));
      });
      void report.catch(() => undefined);
      return { isReady: Promise.race([isReady, report.then(() => undefined)]), report };
    });
    await Promise.all(reports.map((r) => r.isReady));
    const started = performance.now();
    for (const child of children) child.send('go');
    const done = await Promise.all(reports.map((r) => r.report));
    const seconds = (performance.now() - started) / 1000;
    const replayed = done.reduce((sum, r) => sum + r.replayed, 0);
    return {
      histories,
      rounds,
      processes,
      replayed,
      seconds,
      historiesPerSecond: replayed / seconds,
      perProcess: done.map((r) => r.replayed / r.seconds),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh dev server; one that misses the SDK's 5 s start-up window on a busy machine is started again. */
async function devServer(searchAttributeCache: boolean, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createDevServerEnv({ searchAttributeCache });
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const runs = (phase: Phase) => settings.phases.has(phase);
  // The same figures on either server: the dev server (one process, SQLite) or the production layout
  // (PostgreSQL and four Temporal services as processes, on ports and in a folder of its own).
  const cluster = settings.server === 'cluster' ? new TestCluster() : undefined;
  if (cluster) {
    log(`starting a Temporal cluster on ${cluster.address} (scripts/cluster.sh, folder ${cluster.dir})`);
    await cluster.start();
  }
  const env = cluster ? await clusterEnvironment(cluster) : await devServer(settings.searchAttributeCache);
  log(
    `target: ${settings.server}` +
      (cluster
        ? ''
        : `, search-attribute cache ${settings.searchAttributeCache ? 'on (as a cluster)' : 'off (the dev server default)'}`),
  );
  const faults: FaultInjection = {};
  try {
    const tuning = benchmarkTuning();
    const { orders: orderWorker, validator } = await createBenchmarkAppWorkers(env, faults);
    const floorWorker = await createFloorWorker(env);
    const peerWorker = await createPeerWorker(env);
    // The peer as the samples write it: the default data converter, no codec.
    const plainClient = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    const cacheSize = orderWorker.options.maxCachedWorkflows;
    log(
      `worker settings, the same for the floor, the peer, the orders and the validator: ${JSON.stringify(tuning)} ` +
        `(sticky cache ${cacheSize})`,
    );
    const results = await peerWorker.runUntil(
      floorWorker.runUntil(
        orderWorker.runUntil(
          validator.runUntil(async () => {
            const floorCount = 2 * settings.orders;
            let floorResult: Awaited<ReturnType<typeof floor>> | undefined;
            const rounds: Round[] = [];
            if (runs('floor')) {
              log(`floor: ${floorCount} workflows with one no-op activity, started at once`);
              floorResult = await floor(env.client, floorCount);
            }
            const runPeer = async (round: number) => {
              log(
                `peer, round ${round}: ${settings.orders} plain Order/CateringMatch pairs, started at once`,
              );
              return peerBurst(plainClient, settings.orders);
            };
            const runBurst = async (round: number) => {
              log(
                `burst, round ${round}: ${settings.orders} orders with their matches (${floorCount} workflows), started at once`,
              );
              return burst(env.client, settings.orders, settings.submit);
            };
            for (let round = 1; round <= (runs('peer') || runs('burst') ? settings.rounds : 0); round++) {
              const result: Round = {};
              if (round % 2 === 1) {
                if (runs('peer')) result.peer = await runPeer(round);
                if (runs('burst')) result.burst = await runBurst(round);
              } else {
                if (runs('burst')) result.burst = await runBurst(round);
                if (runs('peer')) result.peer = await runPeer(round);
              }
              rounds.push(result);
            }
            const burstResult = rounds[0]?.burst;
            const peerResult = rounds[0]?.peer;
            if (!runs('load') || !floorResult || !burstResult)
              return { floorResult, burstResult, peerResult, rounds };
            faults.latencyMs = settings.validatorLatencyMs;
            log(
              `open loop: ${settings.rate}/s for ${settings.seconds} s, validator answering in ${settings.validatorLatencyMs} ms`,
            );
            const loadResult = await openLoop(env.client, settings.rate, settings.seconds, settings.submit);
            // The floor at the state transitions per second that load asked for: can this server carry it at all?
            const floorRate = (settings.rate * burstResult.perOrder) / floorResult.perWorkflow;
            log(
              `floor open loop: ${floorRate.toFixed(0)}/s for ${settings.seconds} s ` +
                `(${(settings.rate * burstResult.perOrder).toFixed(0)} transitions/s, as the open loop's orders)`,
            );
            const floorLoadResult = await floorOpenLoop(env.client, floorRate, settings.seconds);
            const lowRate =
              settings.lowRate ?? Math.max(0.5, Math.floor(burstResult.ordersPerSecond * 5) / 10);
            let lowLoadResult: Awaited<ReturnType<typeof openLoop>> | undefined;
            if (lowRate > 0) {
              log(`open loop below capacity: ${lowRate}/s for ${settings.seconds} s`);
              lowLoadResult = await openLoop(env.client, lowRate, settings.seconds, settings.submit);
            }
            faults.latencyMs = 0;
            return {
              floorResult,
              burstResult,
              peerResult,
              rounds,
              loadResult,
              floorLoadResult,
              lowLoadResult,
            };
          }),
        ),
      ),
    );
    // The soak runs the app's own processes (`node dist/src/bin/order-worker.js`), not the in-process workers above.
    const soakResult = runs('soak')
      ? await soak(env.client, {
          orders: settings.soakOrders,
          address: env.address,
          namespace: env.namespace ?? 'default',
          log,
        })
      : undefined;
    let replayResult: Awaited<ReturnType<typeof replay>> | undefined;
    if (runs('replay')) {
      log(
        `replay: test/histories x ${settings.replayRounds} by ${settings.replayProcesses} replay processes`,
      );
      replayResult = await replay(settings.replayRounds, settings.replayProcesses);
    }
    const { floorResult, burstResult, peerResult, rounds } = results;
    // Each round's peer and burst ran back to back; the ratios are taken within a round, then their median.
    const paired = rounds.flatMap(({ peer, burst: order }) => (peer && order ? [{ peer, order }] : []));
    const peerRatios = paired.map(({ peer, order }) => order.ordersPerSecond / peer.pairsPerSecond);
    const peerCpuRatios = paired.map(
      ({ peer, order }) => cpuTotal(peer.cpuPerPair) / cpuTotal(order.cpuPerPair),
    );
    const bursts = rounds.flatMap((r) => (r.burst ? [r.burst] : []));
    const peers = rounds.flatMap((r) => (r.peer ? [r.peer] : []));
    const orderPairsPerSecond = bursts.length ? median(bursts.map((b) => b.ordersPerSecond)) : undefined;
    const { loadResult, floorLoadResult, lowLoadResult } = 'loadResult' in results ? results : {};

    const figures = {
      floorTransitionsPerSecond: floorResult?.transitionsPerSecond,
      orderTransitionsPerSecond: burstResult?.transitionsPerSecond,
      transitionRatio:
        burstResult && floorResult
          ? burstResult.transitionsPerSecond / floorResult.transitionsPerSecond
          : undefined,
      ordersPerSecond: orderPairsPerSecond,
      orderPairsPerSecond,
      peerPairsPerSecond: peers.length ? median(peers.map((p) => p.pairsPerSecond)) : undefined,
      peerRatio: paired.length ? median(peerRatios) : undefined,
      peerRatios,
      // The peer's CPU per pair over the order flow's, both sides: the pairs/s ratio also moves with how the burst's
      // last pairs are scheduled (docs/benchmark.md, session 27).
      peerCpuRatio: paired.length ? median(peerCpuRatios) : undefined,
      peerCpuRatios,
      p99ConfirmLatencyMs: loadResult?.p99ConfirmLatencyMs,
      p99SubmitToConfirmedMs: loadResult?.p99SubmitToConfirmedMs,
      peakRssMiB: soakResult?.peakRssMiB,
      rssPerOpenWorkflowKiB: soakResult?.rssPerOpenWorkflowKiB,
      workerRestarts: soakResult?.workerRestarts,
      replayHistoriesPerSecond: replayResult?.historiesPerSecond,
    };
    type Row = [string, string, string, boolean | undefined];
    const ms = (n: number) => n.toFixed(0);
    const loadRows = (
      load: Awaited<ReturnType<typeof openLoop>>,
      judged: boolean,
      perOrder: number,
    ): Row[] => [
      [
        `load ${load.rate}/s: last confirmation -> ConfirmOrder`,
        `p50 ${ms(load.p50ConfirmLatencyMs)} / p95 ${ms(load.p95ConfirmLatencyMs)} / p99 ${ms(load.p99ConfirmLatencyMs)} ms`,
        judged ? 'p99 <= 100 ms' : '',
        judged ? load.p99ConfirmLatencyMs <= 100 : undefined,
      ],
      [
        `load ${load.rate}/s: submit -> Confirmed`,
        `p50 ${ms(load.p50SubmitToConfirmedMs)} / p95 ${ms(load.p95SubmitToConfirmedMs)} / p99 ${ms(load.p99SubmitToConfirmedMs)} ms`,
        '',
        undefined,
      ],
      [
        `load ${load.rate}/s: backlog`,
        `${load.backlogFlat ? 'flat' : 'growing'} (in flight ${load.inFlightMiddleThird.toFixed(0)} -> ${load.inFlightLastThird.toFixed(0)}, ` +
          `${(load.rate * perOrder).toFixed(0)} transitions/s asked; arrivals late p99 ${ms(load.p99ArrivalLateMs)} ms, ` +
          `4 client calls p50 ${ms(load.p50ClientCallsMs)} / p99 ${ms(load.p99ClientCallsMs)} ms)`,
        judged ? 'flat' : '',
        judged ? load.backlogFlat : undefined,
      ],
    ];
    const rows: Row[] = [];
    if (floorResult)
      rows.push([
        'floor: transitions/s',
        `${floorResult.transitionsPerSecond.toFixed(0)} (${floorResult.perWorkflow.toFixed(1)} per workflow, ${floorResult.workflows} in ${floorResult.seconds.toFixed(1)} s)`,
        '',
        undefined,
      ]);
    const inRound = (i: number) => (settings.rounds > 1 ? ` (round ${i + 1})` : '');
    rounds.forEach(({ peer, burst: order }, i) => {
      if (peer)
        rows.push(
          [
            `peer: pairs/s${inRound(i)}`,
            `${peer.pairsPerSecond.toFixed(1)} (${settings.orders} in ${peer.seconds.toFixed(1)} s, ${peer.perPair.toFixed(1)} transitions per pair)`,
            '',
            undefined,
          ],
          [`peer: CPU per pair${inRound(i)}`, cpuText(peer.cpuPerPair), '', undefined],
        );
      if (order)
        rows.push(
          [
            `burst: transitions/s${inRound(i)}`,
            `${order.transitionsPerSecond.toFixed(0)} (${order.perOrder.toFixed(1)} per order with its match)`,
            '',
            undefined,
          ],
          [
            `burst: orders/s (pairs/s)${inRound(i)}`,
            `${order.ordersPerSecond.toFixed(1)} (${settings.orders} in ${order.seconds.toFixed(1)} s; submitted by ${settings.submit === 'update' ? 'update-with-start' : 'plain start'})`,
            '',
            undefined,
          ],
          [`burst: CPU per pair${inRound(i)}`, cpuText(order.cpuPerPair), '', undefined],
        );
    });
    if (burstResult && floorResult)
      rows.push([
        'burst: transition ratio to floor',
        figures.transitionRatio!.toFixed(2),
        '>= 0.90',
        figures.transitionRatio! >= 0.9,
      ]);
    if (paired.length > 0) {
      const each = (ratios: number[]) =>
        ratios.length > 1 ? ` (median of the rounds' ${ratios.map((r) => r.toFixed(2)).join(', ')})` : '';
      rows.push(
        [
          'burst: pairs/s ratio to peer',
          `${figures.peerRatio!.toFixed(2)}${each(peerRatios)}`,
          '>= 0.80',
          figures.peerRatio! >= 0.8,
        ],
        [
          'burst: CPU per pair, peer / order flow',
          `${figures.peerCpuRatio!.toFixed(2)}${each(peerCpuRatios)}`,
          '',
          undefined,
        ],
      );
    }
    if (loadResult && burstResult) rows.push(...loadRows(loadResult, true, burstResult.perOrder));
    if (floorLoadResult)
      rows.push([
        `floor at ${floorLoadResult.rate.toFixed(0)}/s (same transitions/s)`,
        `${floorLoadResult.backlogFlat ? 'flat' : 'growing'} (in flight ${floorLoadResult.inFlightMiddleThird.toFixed(0)} -> ${floorLoadResult.inFlightLastThird.toFixed(0)}), ` +
          `start -> completed p50 ${ms(floorLoadResult.p50StartToCompletedMs)} / p99 ${ms(floorLoadResult.p99StartToCompletedMs)} ms`,
        '',
        undefined,
      ]);
    if (lowLoadResult && burstResult) rows.push(...loadRows(lowLoadResult, false, burstResult.perOrder));
    if (soakResult)
      rows.push(
        [
          `soak: ${soakResult.orders} orders + matches open`,
          `peak RSS ${soakResult.peakRssMiB.toFixed(0)} MiB (base ${soakResult.baseRssMiB.toFixed(0)}, open ${soakResult.openRssMiB.toFixed(0)}; cache ${soakResult.stickyCache})`,
          'peak <= 2048 MiB',
          soakResult.peakRssMiB <= 2048,
        ],
        [
          'soak: RSS per open workflow',
          `${soakResult.rssPerOpenWorkflowKiB.toFixed(1)} KiB (${soakResult.openWorkflows} workflows open in ${soakResult.openSeconds.toFixed(0)} s)`,
          '',
          undefined,
        ],
        [
          'soak: order worker restarts',
          `${soakResult.workerRestarts} (confirmed ${soakResult.confirmed}, cancelled ${soakResult.cancelled} (${soakResult.cancelsSentAgain} sent again, unanswered in time), expired ${soakResult.expired}, ` +
            `then the ${soakResult.confirmedAfterwards} still open confirmed; ${soakResult.totalSeconds.toFixed(0)} s in all)`,
          '0',
          soakResult.workerRestarts === 0,
        ],
      );
    if (replayResult)
      rows.push([
        'replay: histories/s',
        `${replayResult.historiesPerSecond.toFixed(0)} (${replayResult.replayed} replays of ${replayResult.histories} files, ` +
          `${replayResult.processes} processes: ${replayResult.perProcess.map((r) => r.toFixed(0)).join(' + ')}/s)`,
        '>= 200',
        replayResult.historiesPerSecond >= 200,
      ]);
    const width = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length)));
    console.log('');
    console.log(
      `${'figure'.padEnd(width[0]!)}  ${'measured'.padEnd(width[1]!)}  ${'target'.padEnd(width[2]!)}  result`,
    );
    for (const [name, value, target, pass] of rows)
      console.log(
        `${name.padEnd(width[0]!)}  ${value.padEnd(width[1]!)}  ${target.padEnd(width[2]!)}  ${pass === undefined ? '' : pass ? 'PASS' : 'FAIL'}`,
      );
    if (settings.json) {
      const out = {
        ...figures,
        settings: { ...settings, phases: [...settings.phases] },
        workerSettings: tuning,
        stickyCacheSize: cacheSize,
        floor: floorResult,
        // The first round's, as before rounds; every round's in `rounds`.
        peer: peerResult,
        burst: burstResult,
        rounds,
        load: loadResult,
        floorLoad: floorLoadResult,
        lowLoad: lowLoadResult,
        soak: soakResult,
        replay: replayResult,
      };
      writeFileSync(settings.json, JSON.stringify(out, null, 2) + '\n');
      console.log(`\nfigures written to ${settings.json}`);
    }
  } finally {
    await env.teardown();
    if (cluster) {
      await cluster.stop();
      cluster.remove();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
