/**
 * What the server was asked to do, per pair: its frontend's requests (the client's and the workers' calls) and its
 * store's, by operation, from the dev server's Prometheus counters. CPU per pair says how much more a flow costs;
 * these say for what.
 */
import { parsePrometheus } from '../../test/support/prometheus';
import type { Sample } from '../../test/support/prometheus';
import type { Row } from './table';

/** Requests by operation: the frontend's (`service_requests`) and the store's (`persistence_requests`). */
export interface ServerCalls {
  frontend: Record<string, number>;
  store: Record<string, number>;
}

let metricsPort: number | undefined;

/** Where the run's server serves its metrics; without it (a cluster) no calls are counted. */
export function countServerCallsOn(port: number | undefined): void {
  metricsPort = port;
}

function byOperation(samples: Sample[], name: string, service?: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || (service !== undefined && s.labels.service_name !== service)) continue;
    const operation = s.labels.operation ?? '?';
    counts[operation] = (counts[operation] ?? 0) + s.value;
  }
  return counts;
}

/** The server reports its counters each second (tally's interval): a reading waits out two, so a phase gets its own calls. */
const reportedWithinMs = 2000;

async function callsNow(port: number): Promise<ServerCalls> {
  await new Promise((resolve) => setTimeout(resolve, reportedWithinMs));
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics on port ${port}: ${response.status}`);
  const samples = parsePrometheus(await response.text());
  return {
    frontend: byOperation(samples, 'service_requests', 'frontend'),
    store: byOperation(samples, 'persistence_requests'),
  };
}

const minus = (after: Record<string, number>, before: Record<string, number>, pairs: number) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([op, n]) => [op, (n - (before[op] ?? 0)) / pairs] as const)
      .filter(([, n]) => n > 0),
  );

/** Starts counting; the returned function gives the calls per pair since (undefined where nothing is counted). */
export async function serverCallsMeter(): Promise<(pairs: number) => Promise<ServerCalls | undefined>> {
  const port = metricsPort;
  if (port === undefined) return () => Promise.resolve(undefined);
  const before = await callsNow(port);
  return async (pairs) => {
    const after = await callsNow(port);
    return {
      frontend: minus(after.frontend, before.frontend, pairs),
      store: minus(after.store, before.store, pairs),
    };
  };
}

/**
 * One row per operation that some flow calls at least `floor` times a pair: the flows' calls per pair side by side,
 * the operations the flows differ most by first.
 */
export function serverCallRows(flows: [string, ServerCalls | undefined][], floor = 0.05): Row[] {
  const counted = flows.filter((f): f is [string, ServerCalls] => f[1] !== undefined);
  if (counted.length < 2) return [];
  const rows: [number, Row][] = [];
  for (const side of ['frontend', 'store'] as const) {
    const operations = new Set(counted.flatMap(([, c]) => Object.keys(c[side])));
    for (const op of operations) {
      const values = counted.map(([, c]) => c[side][op] ?? 0);
      if (Math.max(...values) < floor) continue;
      rows.push([
        Math.max(...values) - Math.min(...values),
        [
          `server calls per pair: ${side} ${op}`,
          counted.map(([name], i) => `${name} ${values[i]!.toFixed(2)}`).join(' / '),
          '',
          undefined,
        ],
      ]);
    }
  }
  return rows.sort((a, b) => b[0] - a[0]).map(([, row]) => row);
}
