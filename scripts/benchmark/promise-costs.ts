/**
 * The feature-equal peer and the cost of each promise: the peer with every promise the order flow makes, and the
 * plain peer with one promise added alone, each promise's cost being its CPU per pair over the plain peer's in the
 * same round. `none` adds nothing: its "cost" is what the measurement itself scatters.
 */
import {
  equalPeerTaskQueue,
  equalPeerValidatorQueue,
  promisePeerTaskQueue,
  promisePeerValidatorQueue,
} from './equal-peer-workflows';
import type { PeerPromises } from './equal-peer-workflows';
import { cpuTotal, median } from './measure';
import type { CpuPerPair } from './measure';
import type { Row } from './table';

export interface PeerVariant {
  /** With the project's codec on the client and the workers. */
  encrypted: boolean;
  taskQueue: string;
  promises: PeerPromises;
}

export const equalPeer: PeerVariant = {
  encrypted: true,
  taskQueue: equalPeerTaskQueue,
  promises: {
    updateWithStart: true,
    validatorTaskQueue: equalPeerValidatorQueue,
    deadlineTimers: true,
    statusUpserts: true,
  },
};

const plain = { encrypted: false, taskQueue: promisePeerTaskQueue };

/** Each promise added alone to the plain peer, with its budget in CPU ms per pair (issue 34). */
export const promiseVariants = {
  none: { label: 'none (the plain peer again)', budgetMs: undefined, ...plain, promises: {} },
  encryption: {
    label: 'encryption',
    budgetMs: 5,
    ...plain,
    encrypted: true,
    taskQueue: equalPeerTaskQueue,
    promises: {},
  },
  updateWithStart: { label: 'update-with-start', budgetMs: 5, ...plain, promises: { updateWithStart: true } },
  validatorQueue: {
    label: 'validator on its own queue',
    budgetMs: 5,
    ...plain,
    promises: { validatorTaskQueue: promisePeerValidatorQueue },
  },
  deadlineTimers: { label: 'deadline timers', budgetMs: 2, ...plain, promises: { deadlineTimers: true } },
  statusUpserts: { label: 'status upserts', budgetMs: 6, ...plain, promises: { statusUpserts: true } },
  // Not in issue 34's list, so not in the equal peer: what the order flow's match learning its menus from the order costs.
  menusHandedOver: {
    label: "menus handed over by the order's activity",
    budgetMs: undefined,
    ...plain,
    promises: { menusHandedOver: true },
  },
} satisfies Record<string, PeerVariant & { label: string; budgetMs: number | undefined }>;

export type PromiseName = keyof typeof promiseVariants;

export const promiseNames = Object.keys(promiseVariants) as PromiseName[];

/** The promises the equal peer makes all at once. */
const equalPeerPromises: PromiseName[] = [
  'encryption',
  'updateWithStart',
  'validatorQueue',
  'deadlineTimers',
  'statusUpserts',
];

/** What one round measured for the cost table: CPU per pair of the plain peer, the variants and the order flow. */
export interface CostRound {
  peer: CpuPerPair;
  equalPeer?: CpuPerPair;
  promisePeers?: Partial<Record<PromiseName, CpuPerPair>>;
  order?: CpuPerPair;
}

export interface Cost {
  /** Median over the rounds of CPU per pair added (both sides), and of each side. */
  ms: number;
  workerMs: number;
  serverMs: number;
  /** Each round's, both sides. */
  rounds: number[];
}

function costOf(pairs: { more: CpuPerPair; base: CpuPerPair }[]): Cost | undefined {
  if (pairs.length === 0) return undefined;
  return {
    ms: median(pairs.map(({ more, base }) => cpuTotal(more) - cpuTotal(base))),
    workerMs: median(pairs.map(({ more, base }) => more.workerMs - base.workerMs)),
    serverMs: median(pairs.map(({ more, base }) => more.serverMs - base.serverMs)),
    rounds: pairs.map(({ more, base }) => cpuTotal(more) - cpuTotal(base)),
  };
}

/** Each promise's cost over the plain peer, the equal peer's, and what the order flow costs beyond the equal peer. */
export function promiseCosts(rounds: CostRound[]) {
  const over = (
    more: (r: CostRound) => CpuPerPair | undefined,
    base: (r: CostRound) => CpuPerPair | undefined,
  ) =>
    costOf(
      rounds.flatMap((r) => {
        const m = more(r);
        const b = base(r);
        return m && b ? [{ more: m, base: b }] : [];
      }),
    );
  const promises: Partial<Record<PromiseName, Cost>> = {};
  for (const name of promiseNames) {
    const cost = over(
      (r) => r.promisePeers?.[name],
      (r) => r.peer,
    );
    if (cost) promises[name] = cost;
  }
  return {
    promises,
    equalPeer: over(
      (r) => r.equalPeer,
      (r) => r.peer,
    ),
    orderFlowBeyondEqualPeer: over(
      (r) => r.order,
      (r) => r.equalPeer,
    ),
  };
}

export type PromiseCosts = ReturnType<typeof promiseCosts>;

const text = (cost: Cost) =>
  `${cost.ms >= 0 ? '+' : ''}${cost.ms.toFixed(1)} ms (client and workers ${cost.workerMs.toFixed(1)}, server ` +
  `${cost.serverMs.toFixed(1)}; rounds ${cost.rounds.map((r) => r.toFixed(1)).join(', ')})`;

/** The cost-per-promise table, as rows of the run's table. */
export function promiseCostRows(costs: PromiseCosts): Row[] {
  const rows: Row[] = [];
  for (const name of promiseNames) {
    const cost = costs.promises[name];
    const { label, budgetMs } = promiseVariants[name];
    if (cost)
      rows.push([
        `promise: ${label}, CPU per pair over the plain peer`,
        text(cost),
        budgetMs === undefined ? '' : `<= ${budgetMs} ms`,
        budgetMs === undefined ? undefined : cost.ms <= budgetMs,
      ]);
  }
  const sum = equalPeerPromises.reduce((total, name) => total + (costs.promises[name]?.ms ?? 0), 0);
  if (costs.equalPeer)
    rows.push([
      'promise: the equal peer over the plain peer',
      `${text(costs.equalPeer)}; its five promises alone add up to ${sum.toFixed(1)}`,
      '',
      undefined,
    ]);
  if (costs.orderFlowBeyondEqualPeer)
    rows.push([
      'order flow over the equal peer, CPU per pair',
      text(costs.orderFlowBeyondEqualPeer),
      '',
      undefined,
    ]);
  return rows;
}
