/** The benchmark's command line: which phases to run and how large. Usage is in scripts/benchmark.ts. */
import { availableParallelism } from 'node:os';

export const allPhases = [
  'floor',
  'burst',
  'desk',
  'peer',
  'equal-peer',
  'load',
  'heap',
  'soak',
  'replay',
] as const;
export type Phase = (typeof allPhases)[number];

export interface Settings {
  orders: number;
  rate: number;
  seconds: number;
  /** undefined: half the burst's orders/s; 0: no second open loop. */
  lowRate?: number;
  soakOrders: number;
  /** Orders opened between the heap phase's two readings (each with its match), all within the sticky cache. */
  heapOrders: number;
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
  /**
   * `on` (default): the order flow's client and workers encrypt, as production does. `off`: the default data
   * converter, to measure what the codec costs the order flow (its payloads are larger than the peers').
   */
  codec: boolean;
}

export function parseArgs(argv: string[]): Settings {
  const settings: Settings = {
    orders: Number(process.env.BENCH_ORDERS ?? 500),
    rate: 20,
    seconds: 60,
    soakOrders: 10_000,
    heapOrders: 250,
    phases: new Set(allPhases),
    validatorLatencyMs: 200,
    replayRounds: 20,
    rounds: 2,
    replayProcesses: Math.max(1, availableParallelism()),
    server: 'dev',
    submit: 'update',
    searchAttributeCache: true,
    codec: true,
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
      case '--heap-orders':
        settings.heapOrders = Math.round(positive(flag, value));
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
      case '--codec':
        if (value !== 'on' && value !== 'off') throw new Error(`--codec ${value ?? ''}: on or off`);
        settings.codec = value === 'on';
        break;
      case '--json':
        if (!value) throw new Error('--json needs a file name');
        settings.json = value;
        break;
      default:
        throw new Error(
          `unknown argument ${flag}: use --orders, --rate, --seconds, --low-rate, --soak, --heap-orders, --phases, --rounds, --validator-latency-ms, --replay-rounds, --replay-processes, --target, --submit, --search-attribute-cache, --codec, --json`,
        );
    }
  }
  if (settings.phases.has('load') && !(settings.phases.has('burst') && settings.phases.has('floor')))
    throw new Error('--phases: load is sized from burst and floor; name them too');
  return settings;
}
