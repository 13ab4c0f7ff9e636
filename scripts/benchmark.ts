/**
 * `npm run benchmark`: the order flow measured beside a floor, on one fresh dev server in one run, with payload
 * encryption on as in production. Prints a table of figure, target and PASS/FAIL; a miss is a finding to write
 * down, never a failure of `npm test`.
 *
 *   --orders N          burst size, for the floor and the order flow alike (default 500)
 *   --rate R            open-loop arrivals per second (default 20)
 *   --seconds S         open-loop duration (default 60)
 *   --open-matches A,B  open matches for the memory figure (default 1000,10000)
 *   --validator-latency-ms L   the validator's answer time under the open-loop load (default 200)
 *   --replay-rounds K   passes over test/histories for the replay figure (default 20)
 *   --json FILE         every figure as JSON
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import type { FaultInjection } from '../activities/credit-card-validator';
import { publishMenuEvent, startCateringMatch } from '../src/catering-events';
import { placeOrder } from '../src/place-order';
import { cateringMatchWorkflowId, orderWorkflowId } from '../src/shared';
import type { CateringMatchState } from '../workflows/catering-match-state';
import type { OrderState } from '../workflows/order-state';
import { createAppWorkers } from '../test/support/app-workers';
import { failureConverterPath, testDataConverter } from '../test/support/codec';
import { clusterEnvironment, TestCluster } from '../test/support/cluster';
import { createDevServerEnv, createTestWorker, uniqueId, workflowBundle } from '../test/support/environments';
import { BenchmarkFloor, floorTaskQueue } from './benchmark/floor-workflow';

interface Settings {
  orders: number;
  rate: number;
  seconds: number;
  openMatches: number[];
  validatorLatencyMs: number;
  replayRounds: number;
  json?: string;
  /** `dev`: a fresh dev server (one process, SQLite). `cluster`: a fresh `scripts/cluster.sh` cluster. */
  server: 'dev' | 'cluster';
}

function parseArgs(argv: string[]): Settings {
  const settings: Settings = {
    orders: Number(process.env.BENCH_ORDERS ?? 500),
    rate: 20,
    seconds: 60,
    openMatches: [1000, 10_000],
    validatorLatencyMs: 200,
    replayRounds: 20,
    server: 'dev',
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
      case '--open-matches':
        settings.openMatches = (value ?? '').split(',').map((n) => Math.round(positive(flag, n)));
        break;
      case '--validator-latency-ms':
        settings.validatorLatencyMs = Number(value);
        if (!(settings.validatorLatencyMs >= 0))
          throw new Error(`${flag} ${value}: expected milliseconds >= 0`);
        break;
      case '--replay-rounds':
        settings.replayRounds = Math.round(positive(flag, value));
        break;
      case '--target':
        if (value !== 'dev' && value !== 'cluster')
          throw new Error(`--target ${value ?? ''}: expected dev or cluster`);
        settings.server = value;
        break;
      case '--json':
        if (!value) throw new Error('--json needs a file name');
        settings.json = value;
        break;
      default:
        throw new Error(
          `unknown argument ${flag}: use --orders, --rate, --seconds, --open-matches, --validator-latency-ms, --replay-rounds, --target, --json`,
        );
    }
  }
  settings.openMatches.sort((a, b) => a - b);
  return settings;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function settledRss(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().rss;
}

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
  retainFor: '0 seconds',
});

/** Submits one order with its match and both confirmations; resolves with its timings once it is Confirmed. */
async function oneOrder(
  client: Client,
  orderId: string,
  i: number,
): Promise<{ submitToConfirmedMs: number; confirmLatencyMs: number }> {
  const submittedAt = Date.now();
  await placeOrder(client, orderInput(orderId, i));
  await publishMenuEvent(client, 'CustomerConfirmedMenu', { orderId, menuId: 'A', eventId: `${orderId}-c` });
  const lastConfirmationAt = Date.now();
  await publishMenuEvent(client, 'CatererConfirmedMenu', {
    orderId,
    menuId: 'A',
    catererId: 'caterer-anna',
    eventId: `${orderId}-k`,
  });
  const match = (await client.workflow
    .getHandle(cateringMatchWorkflowId(orderId))
    .result()) as CateringMatchState;
  const order = (await client.workflow.getHandle(orderWorkflowId(orderId)).result()) as OrderState;
  if (order.status !== 'Confirmed') throw new Error(`order ${orderId} ended ${order.status}`);
  const sentAt = Date.parse(match.confirmOrder?.sentAt ?? '');
  const confirmedAt = Date.parse(order.confirmation?.confirmedAt ?? '');
  return { submitToConfirmedMs: confirmedAt - submittedAt, confirmLatencyMs: sentAt - lastConfirmationAt };
}

async function floor(env: TestWorkflowEnvironment, n: number) {
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./benchmark/floor-workflow'),
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  const worker = await createTestWorker(env, {
    taskQueue: floorTaskQueue,
    workflowBundle: bundle,
    activities: { noop: () => Promise.resolve() },
  });
  const batch = uniqueId('floor');
  return worker.runUntil(async () => {
    const started = performance.now();
    const handles = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        env.client.workflow.start(BenchmarkFloor, { taskQueue: floorTaskQueue, workflowId: `${batch}-${i}` }),
      ),
    );
    await Promise.all(handles.map((h) => h.result()));
    const seconds = (performance.now() - started) / 1000;
    const transitions = await transitionsOf(handles);
    return {
      seconds,
      transitions,
      perWorkflow: transitions / n,
      transitionsPerSecond: transitions / seconds,
    };
  });
}

async function burst(client: Client, n: number) {
  const batch = uniqueId('burst');
  const ids = Array.from({ length: n }, (_, i) => `${batch}-${i}`);
  const started = performance.now();
  await Promise.all(ids.map((id, i) => oneOrder(client, id, i)));
  const seconds = (performance.now() - started) / 1000;
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
  };
}

/** Orders arriving at a fixed rate whatever happens to the earlier ones; in flight sampled every second. */
async function openLoop(client: Client, rate: number, seconds: number) {
  const batch = uniqueId('load');
  const total = Math.round(rate * seconds);
  const submitToConfirmed: number[] = [];
  const confirmLatency: number[] = [];
  const inFlightSamples: number[] = [];
  let inFlight = 0;
  const runs: Promise<void>[] = [];
  const start = performance.now();
  const sampler = setInterval(() => inFlightSamples.push(inFlight), 1000);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight++;
    runs.push(
      oneOrder(client, `${batch}-${i}`, i).then(({ submitToConfirmedMs, confirmLatencyMs }) => {
        inFlight--;
        submitToConfirmed.push(submitToConfirmedMs);
        confirmLatency.push(confirmLatencyMs);
      }),
    );
  }
  await Promise.all(runs);
  clearInterval(sampler);
  // Flat: the last third of the arrivals holds no more in flight than the middle third (plus one second of arrivals).
  const arrivals = inFlightSamples.slice(0, Math.max(1, Math.floor(seconds)));
  const third = Math.max(1, Math.floor(arrivals.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const middle = mean(arrivals.slice(third, 2 * third));
  const last = mean(arrivals.slice(2 * third));
  return {
    orders: total,
    p50SubmitToConfirmedMs: percentile(submitToConfirmed, 50),
    p95SubmitToConfirmedMs: percentile(submitToConfirmed, 95),
    p99SubmitToConfirmedMs: percentile(submitToConfirmed, 99),
    p50ConfirmLatencyMs: percentile(confirmLatency, 50),
    p95ConfirmLatencyMs: percentile(confirmLatency, 95),
    p99ConfirmLatencyMs: percentile(confirmLatency, 99),
    inFlightMiddleThird: middle,
    inFlightLastThird: last,
    backlogFlat: last <= middle + rate,
  };
}

/** Matches waiting for events, RSS of this process (client and both workers) after each count is open. */
async function memory(client: Client, counts: number[]) {
  const batch = uniqueId('open');
  const base = settledRss();
  const points: { openMatches: number; rssMiB: number; perMatchKiB: number }[] = [];
  let open = 0;
  for (const count of counts) {
    for (; open < count; open += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, count - open) }, (_, k) =>
          startCateringMatch(client, {
            orderId: `${batch}-${open + k}`,
            menus: [{ menuId: 'A', catererId: 'caterer-anna' }],
            confirmWithin: '7 days',
          }),
        ),
      );
    }
    open = count;
    // Every match has run its first task once visibility shows it waiting.
    // Every earlier match of this run has finished by now: the waiting ones are these.
    const query = 'WorkflowType = "CateringMatch" AND MatchStatus = "AwaitingConfirmations"';
    for (;;) {
      const { count: waiting } = await client.workflow.count(query);
      if (waiting >= count) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const rss = settledRss();
    points.push({ openMatches: count, rssMiB: rss / 2 ** 20, perMatchKiB: (rss - base) / 1024 / count });
  }
  return { baseMiB: base / 2 ** 20, points };
}

async function replay(rounds: number) {
  const dir = join(__dirname, '..', 'test', 'histories');
  const histories = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({
      workflowId: name,
      history: temporal.api.history.v1.History.fromObject(
        JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>,
      ),
    }));
  const bundle = await workflowBundle();
  // One replay worker for every pass: what is timed is replaying, not creating workers.
  const passes = Array.from({ length: rounds }, (_, r) =>
    histories.map(({ workflowId, history }) => ({ workflowId: `${workflowId}#${r}`, history })),
  ).flat();
  const started = performance.now();
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: bundle, dataConverter: testDataConverter() },
    passes,
  )) {
    if (result.error) throw result.error;
    replayed++;
  }
  const seconds = (performance.now() - started) / 1000;
  return { histories: histories.length, replayed, seconds, historiesPerSecond: replayed / seconds };
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  // The same figures on either server: the dev server (one process, SQLite) or the production layout
  // (PostgreSQL and four Temporal services as processes, on ports and in a folder of its own).
  const cluster = settings.server === 'cluster' ? new TestCluster() : undefined;
  if (cluster) {
    log(`starting a Temporal cluster on ${cluster.address} (scripts/cluster.sh, folder ${cluster.dir})`);
    await cluster.start();
  }
  const env = cluster ? await clusterEnvironment(cluster) : await createDevServerEnv();
  log(`target: ${settings.server}`);
  const faults: FaultInjection = {};
  try {
    const { orders: orderWorker, validator } = await createAppWorkers(env, faults);
    const cacheSize = orderWorker.options.maxCachedWorkflows;
    const results = await orderWorker.runUntil(
      validator.runUntil(async () => {
        log(`floor: ${settings.orders} workflows with one no-op activity, started at once`);
        const floorResult = await floor(env, settings.orders);
        log(`burst: ${settings.orders} orders with their matches, started at once`);
        const burstResult = await burst(env.client, settings.orders);
        faults.latencyMs = settings.validatorLatencyMs;
        log(
          `open loop: ${settings.rate}/s for ${settings.seconds} s, validator answering in ${settings.validatorLatencyMs} ms`,
        );
        const loadResult = await openLoop(env.client, settings.rate, settings.seconds);
        faults.latencyMs = 0;
        log(`memory: ${settings.openMatches.join(', ')} open matches (sticky cache ${cacheSize})`);
        const memoryResult = await memory(env.client, settings.openMatches);
        return { floorResult, burstResult, loadResult, memoryResult };
      }),
    );
    log(`replay: test/histories x ${settings.replayRounds}`);
    const replayResult = await replay(settings.replayRounds);
    const { floorResult, burstResult, loadResult, memoryResult } = results;

    const largest = memoryResult.points.at(-1)!;
    const figures = {
      floorTransitionsPerSecond: floorResult.transitionsPerSecond,
      orderTransitionsPerSecond: burstResult.transitionsPerSecond,
      transitionRatio: burstResult.transitionsPerSecond / floorResult.transitionsPerSecond,
      ordersPerSecond: burstResult.ordersPerSecond,
      p99ConfirmLatencyMs: loadResult.p99ConfirmLatencyMs,
      p99SubmitToConfirmedMs: loadResult.p99SubmitToConfirmedMs,
      rssPerOpenMatchKiB: largest.perMatchKiB,
      replayHistoriesPerSecond: replayResult.historiesPerSecond,
    };
    const rows: [string, string, string, boolean | undefined][] = [
      [
        'floor: transitions/s',
        `${figures.floorTransitionsPerSecond.toFixed(0)} (${floorResult.perWorkflow.toFixed(1)} per workflow, ${floorResult.seconds.toFixed(1)} s)`,
        '',
        undefined,
      ],
      [
        'burst: transitions/s',
        `${figures.orderTransitionsPerSecond.toFixed(0)} (${burstResult.perOrder.toFixed(1)} per order with its match)`,
        '',
        undefined,
      ],
      [
        'burst: ratio to floor',
        figures.transitionRatio.toFixed(2),
        '>= 0.90',
        figures.transitionRatio >= 0.9,
      ],
      [
        'burst: orders/s',
        `${figures.ordersPerSecond.toFixed(1)} (${settings.orders} in ${burstResult.seconds.toFixed(1)} s)`,
        '',
        undefined,
      ],
      [
        `load ${settings.rate}/s: last confirmation -> ConfirmOrder`,
        `p50 ${loadResult.p50ConfirmLatencyMs.toFixed(0)} / p95 ${loadResult.p95ConfirmLatencyMs.toFixed(0)} / p99 ${figures.p99ConfirmLatencyMs.toFixed(0)} ms`,
        'p99 <= 100 ms',
        figures.p99ConfirmLatencyMs <= 100,
      ],
      [
        `load ${settings.rate}/s: submit -> Confirmed`,
        `p50 ${loadResult.p50SubmitToConfirmedMs.toFixed(0)} / p95 ${loadResult.p95SubmitToConfirmedMs.toFixed(0)} / p99 ${figures.p99SubmitToConfirmedMs.toFixed(0)} ms`,
        '',
        undefined,
      ],
      [
        'load: backlog',
        `${loadResult.backlogFlat ? 'flat' : 'growing'} (in flight ${loadResult.inFlightMiddleThird.toFixed(0)} -> ${loadResult.inFlightLastThird.toFixed(0)})`,
        'flat',
        loadResult.backlogFlat,
      ],
      ...memoryResult.points.map((p): [string, string, string, boolean | undefined] => [
        `memory: ${p.openMatches} open matches`,
        `${p.perMatchKiB.toFixed(1)} KiB each (RSS ${p.rssMiB.toFixed(0)} MiB, base ${memoryResult.baseMiB.toFixed(0)}, cache ${cacheSize})`,
        '<= 512 KiB',
        p.perMatchKiB <= 512,
      ]),
      [
        'replay: histories/s',
        `${figures.replayHistoriesPerSecond.toFixed(0)} (${replayResult.replayed} of ${replayResult.histories} files)`,
        '>= 200',
        figures.replayHistoriesPerSecond >= 200,
      ],
    ];
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
        settings,
        stickyCacheSize: cacheSize,
        floor: floorResult,
        burst: burstResult,
        load: loadResult,
        memory: memoryResult,
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
