/** What every phase measures with: percentiles and medians, state transitions from `describe`, CPU per pair. */
import { performance } from 'node:perf_hooks';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { cpuMeter } from './cpu';
import type { CpuSplit } from './cpu';
import { serverCallsMeter } from './server-calls';

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The state transitions the server counted for these workflows, described 50 at a time. */
export async function transitionsOf(handles: WorkflowHandle[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < handles.length; i += 50) {
    const described = await Promise.all(handles.slice(i, i + 50).map((h) => h.describe()));
    for (const d of described) total += Number(d.raw.workflowExecutionInfo?.stateTransitionCount ?? 0);
  }
  return total;
}

export interface CpuPerPair {
  /** This process: client, workers, codec. */
  workerMs: number;
  /** Its descendants: the Temporal server. */
  serverMs: number;
}

/** CPU milliseconds per pair, on each side: this process (client and workers) and the server. */
export function perPair(cpu: CpuSplit, pairs: number): CpuPerPair {
  return { workerMs: (cpu.workerSeconds * 1000) / pairs, serverMs: (cpu.serverSeconds * 1000) / pairs };
}

export const cpuTotal = ({ workerMs, serverMs }: CpuPerPair) => workerMs + serverMs;

export const cpuText = ({ workerMs, serverMs }: CpuPerPair) =>
  `client and workers ${workerMs.toFixed(1)} + server ${serverMs.toFixed(1)} = ${(workerMs + serverMs).toFixed(1)} ms`;

/**
 * `n` pairs run at once by `runPair`, timed, with their CPU per pair and the transitions of the two workflows each
 * pair names (`workflowIdsOf`): how every peer is measured, so that the peers differ only by their workflows.
 */
export async function measurePairs(
  client: Client,
  n: number,
  runPair: (i: number) => Promise<void>,
  workflowIdsOf: (i: number) => [string, string],
) {
  const calls = await serverCallsMeter();
  const started = performance.now();
  const cpu = cpuMeter();
  await Promise.all(Array.from({ length: n }, (_, i) => runPair(i)));
  const seconds = (performance.now() - started) / 1000;
  const cpuSpent = cpu();
  const serverCalls = await calls(n);
  const handles = Array.from({ length: n }, (_, i) => workflowIdsOf(i))
    .flat()
    .map((id) => client.workflow.getHandle(id));
  const transitions = await transitionsOf(handles);
  return {
    seconds,
    pairsPerSecond: n / seconds,
    transitions,
    perPair: transitions / n,
    cpuPerPair: perPair(cpuSpent, n),
    serverCalls,
  };
}
