/**
 * The peer, the equal peer with the plain peer's one-promise variants, and the burst, alternated for `--rounds`
 * rounds: each round runs them back to back, the order reversed round by round so that the machine's drift falls on
 * all, and every ratio and cost is taken within a round, then their median is the figure.
 */
import type { Client } from '@temporalio/client';
import { burst } from './burst';
import type { BurstResult } from './burst';
import { cpuText, cpuTotal, median } from './measure';
import { deskBurst, deskCpuRatio, deskRows } from './desk-burst';
import type { DeskBurstResult } from './desk-burst';
import { peerBurst } from './peer';
import type { PeerResult } from './peer';
import { equalPeerBurst } from './equal-peer';
import { equalPeer, promiseCostRows, promiseCosts, promiseNames, promiseVariants } from './promise-costs';
import type { PeerVariant, PromiseName } from './promise-costs';
import { serverCallRows } from './server-calls';
import type { ServerCalls } from './server-calls';
import type { Phase, Settings } from './settings';
import type { Row } from './table';

/** One round of the comparison: the peers' bursts and the order flow's, back to back. */
export interface Round {
  peer?: PeerResult;
  burst?: BurstResult;
  equalPeer?: PeerResult;
  /** The plain peer with one promise added. */
  promisePeers?: Partial<Record<PromiseName, PeerResult>>;
  /** The burst's orders submitted through the desk's API. */
  desk?: DeskBurstResult;
}

export interface RoundClients {
  /** The order flow's: the project's data converter, unless `--codec off`. */
  app: Client;
  /** The equal peer's: the project's data converter. */
  encrypted: Client;
  /** The plain peer's: the default data converter, no codec, as the samples write it. */
  plain: Client;
}

/** One run inside a round, writing its result into the round. */
type Entry = (round: Round, index: number) => Promise<void>;

export async function comparisonRounds(
  settings: Settings,
  clients: RoundClients,
  log: (line: string) => void,
): Promise<Round[]> {
  const runs = (phase: Phase) => settings.phases.has(phase);
  const entries: Entry[] = [];
  if (runs('peer'))
    entries.push(async (round, index) => {
      log(`peer, round ${index}: ${settings.orders} plain Order/CateringMatch pairs, started at once`);
      round.peer = await peerBurst(clients.plain, settings.orders);
    });
  if (runs('equal-peer')) {
    const variant = (v: PeerVariant) =>
      equalPeerBurst(
        v.encrypted ? clients.encrypted : clients.plain,
        settings.orders,
        v.taskQueue,
        v.promises,
      );
    entries.push(async (round, index) => {
      log(
        `equal peer, round ${index}: ${settings.orders} pairs with the order flow's promises, started at once`,
      );
      round.equalPeer = await variant(equalPeer);
    });
    for (const name of promiseNames)
      entries.push(async (round, index) => {
        log(`plain peer with ${promiseVariants[name].label}, round ${index}: ${settings.orders} pairs`);
        (round.promisePeers ??= {})[name] = await variant(promiseVariants[name]);
      });
  }
  if (runs('burst'))
    entries.push(async (round, index) => {
      log(
        `burst, round ${index}: ${settings.orders} orders with their matches (${2 * settings.orders} workflows), started at once`,
      );
      round.burst = await burst(clients.app, settings.orders, settings.submit);
    });
  if (runs('desk'))
    entries.push(async (round, index) => {
      log(`desk, round ${index}: the burst's ${settings.orders} orders submitted through the desk's API`);
      round.desk = await deskBurst(clients.app, settings.orders);
    });
  const rounds: Round[] = [];
  for (let index = 1; entries.length > 0 && index <= settings.rounds; index++) {
    const round: Round = {};
    for (const entry of index % 2 === 1 ? entries : [...entries].reverse()) await entry(round, index);
    rounds.push(round);
  }
  return rounds;
}

/** Each operation's calls per pair, the median of the rounds' (0 in a round that did not call it). */
function medianCalls(rounds: (ServerCalls | undefined)[]): ServerCalls | undefined {
  const counted = rounds.filter((r): r is ServerCalls => r !== undefined);
  if (!counted.length) return undefined;
  const side = (pick: (c: ServerCalls) => Record<string, number>) => {
    const operations = new Set(counted.flatMap((c) => Object.keys(pick(c))));
    return Object.fromEntries(
      [...operations].map((op) => [op, median(counted.map((c) => pick(c)[op] ?? 0))]),
    );
  };
  return { frontend: side((c) => c.frontend), store: side((c) => c.store) };
}

/** The figures the JSON keeps from the rounds: medians, and each round's ratio. */
export function roundFigures(rounds: Round[]) {
  const paired = rounds.flatMap(({ peer, burst: order }) => (peer && order ? [{ peer, order }] : []));
  const peerRatios = paired.map(({ peer, order }) => order.ordersPerSecond / peer.pairsPerSecond);
  const peerCpuRatios = paired.map(
    ({ peer, order }) => cpuTotal(peer.cpuPerPair) / cpuTotal(order.cpuPerPair),
  );
  const bursts = rounds.flatMap((r) => (r.burst ? [r.burst] : []));
  const peers = rounds.flatMap((r) => (r.peer ? [r.peer] : []));
  const orderPairsPerSecond = bursts.length ? median(bursts.map((b) => b.ordersPerSecond)) : undefined;
  const equalPaired = rounds.flatMap(({ equalPeer, burst: order }) =>
    equalPeer && order ? [{ equalPeer, order }] : [],
  );
  const equalPeerRatios = equalPaired.map(
    ({ equalPeer, order }) => order.ordersPerSecond / equalPeer.pairsPerSecond,
  );
  const equalPeerCpuRatios = equalPaired.map(
    ({ equalPeer, order }) => cpuTotal(equalPeer.cpuPerPair) / cpuTotal(order.cpuPerPair),
  );
  const equalPeers = rounds.flatMap((r) => (r.equalPeer ? [r.equalPeer] : []));
  const deskPaired = rounds.flatMap(({ desk, burst: order }) => (desk && order ? [{ desk, order }] : []));
  const deskRatios = deskPaired.map(({ desk, order }) => desk.ordersPerSecond / order.ordersPerSecond);
  const deskCpuRatios = deskPaired.map(({ desk, order }) => deskCpuRatio(order.cpuPerPair, desk.cpuPerPair));
  return {
    // What the server was asked per pair, by operation (dev server only): what the CPU per pair is spent on.
    serverCallsPerPair: {
      peer: medianCalls(peers.map((p) => p.serverCalls)),
      equalPeer: medianCalls(equalPeers.map((p) => p.serverCalls)),
      orderFlow: medianCalls(bursts.map((b) => b.serverCalls)),
    },
    // The API's orders/s over the client library's, and the library's CPU per pair over the API's: 0.91 is 10% more.
    deskRatio: deskPaired.length ? median(deskRatios) : undefined,
    deskRatios,
    deskCpuRatio: deskPaired.length ? median(deskCpuRatios) : undefined,
    deskCpuRatios,
    ordersPerSecond: orderPairsPerSecond,
    orderPairsPerSecond,
    peerPairsPerSecond: peers.length ? median(peers.map((p) => p.pairsPerSecond)) : undefined,
    peerRatio: paired.length ? median(peerRatios) : undefined,
    peerRatios,
    // The peer's CPU per pair over the order flow's, both sides: the pairs/s ratio also moves with how the burst's
    // last pairs are scheduled (docs/benchmark.md, session 27).
    peerCpuRatio: paired.length ? median(peerCpuRatios) : undefined,
    peerCpuRatios,
    equalPeerPairsPerSecond: equalPeers.length ? median(equalPeers.map((p) => p.pairsPerSecond)) : undefined,
    equalPeerRatio: equalPaired.length ? median(equalPeerRatios) : undefined,
    equalPeerRatios,
    // The equal peer's CPU per pair over the order flow's, as peerCpuRatio is the plain peer's.
    equalPeerCpuRatio: equalPaired.length ? median(equalPeerCpuRatios) : undefined,
    equalPeerCpuRatios,
    promiseCostsMs: !equalPeers.length
      ? undefined
      : promiseCosts(
          rounds.flatMap((r) =>
            r.peer
              ? [
                  {
                    peer: r.peer.cpuPerPair,
                    equalPeer: r.equalPeer?.cpuPerPair,
                    order: r.burst?.cpuPerPair,
                    promisePeers: Object.fromEntries(
                      Object.entries(r.promisePeers ?? {}).map(([name, p]) => [name, p.cpuPerPair]),
                    ),
                  },
                ]
              : [],
          ),
        ),
  };
}

/** Each round's pairs/s, transitions and CPU per pair. */
export function roundRows(rounds: Round[], settings: Settings): Row[] {
  const rows: Row[] = [];
  const inRound = (i: number) => (settings.rounds > 1 ? ` (round ${i + 1})` : '');
  const peerRows = (name: string, peer: PeerResult, i: number): Row[] => [
    [
      `${name}: pairs/s${inRound(i)}`,
      `${peer.pairsPerSecond.toFixed(1)} (${settings.orders} in ${peer.seconds.toFixed(1)} s, ${peer.perPair.toFixed(1)} transitions per pair)`,
      '',
      undefined,
    ],
    [`${name}: CPU per pair${inRound(i)}`, cpuText(peer.cpuPerPair), '', undefined],
  ];
  rounds.forEach(({ peer, burst: order, equalPeer: equal, promisePeers, desk }, i) => {
    if (desk)
      rows.push(
        [
          `desk: orders/s${inRound(i)}`,
          `${desk.ordersPerSecond.toFixed(1)} (${settings.orders} in ${desk.seconds.toFixed(1)} s, submitted through the API)`,
          '',
          undefined,
        ],
        [`desk: CPU per pair${inRound(i)}`, cpuText(desk.cpuPerPair), '', undefined],
      );
    if (equal) rows.push(...peerRows('equal peer', equal, i));
    for (const name of promiseNames) {
      const variant = promisePeers?.[name];
      if (variant) rows.push(...peerRows(`peer + ${promiseVariants[name].label}`, variant, i));
    }
    if (peer) rows.push(...peerRows('peer', peer, i));
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
  return rows;
}

const each = (ratios: number[]) =>
  ratios.length > 1 ? ` (median of the rounds' ${ratios.map((r) => r.toFixed(2)).join(', ')})` : '';

/** The order flow judged against the peers: pairs/s and CPU per pair, medians of the rounds'; the promises' costs. */
export function ratioRows(figures: ReturnType<typeof roundFigures>): Row[] {
  const rows: Row[] = [];
  if (figures.deskRatio !== undefined && figures.deskCpuRatio !== undefined)
    rows.push(...deskRows(figures.deskRatio, figures.deskCpuRatio));
  if (figures.peerRatio !== undefined && figures.peerCpuRatio !== undefined)
    rows.push(...plainRatioRows(figures.peerRatio, figures.peerCpuRatio, figures));
  if (figures.equalPeerRatio !== undefined && figures.equalPeerCpuRatio !== undefined)
    rows.push(
      [
        'burst: pairs/s ratio to equal peer',
        `${figures.equalPeerRatio.toFixed(2)}${each(figures.equalPeerRatios)}`,
        '>= 0.90',
        figures.equalPeerRatio >= 0.9,
      ],
      [
        'burst: CPU per pair, equal peer / order flow',
        `${figures.equalPeerCpuRatio.toFixed(2)}${each(figures.equalPeerCpuRatios)}`,
        '',
        undefined,
      ],
    );
  const calls = figures.serverCallsPerPair;
  rows.push(
    ...serverCallRows([
      ['peer', calls.peer],
      ['equal peer', calls.equalPeer],
      ['order flow', calls.orderFlow],
    ]),
  );
  return figures.promiseCostsMs ? [...rows, ...promiseCostRows(figures.promiseCostsMs)] : rows;
}

function plainRatioRows(
  peerRatio: number,
  peerCpuRatio: number,
  figures: ReturnType<typeof roundFigures>,
): Row[] {
  return [
    [
      'burst: pairs/s ratio to peer',
      `${peerRatio.toFixed(2)}${each(figures.peerRatios)}`,
      '>= 0.80',
      peerRatio >= 0.8,
    ],
    [
      'burst: CPU per pair, peer / order flow',
      `${peerCpuRatio.toFixed(2)}${each(figures.peerCpuRatios)}`,
      '',
      undefined,
    ],
  ];
}
