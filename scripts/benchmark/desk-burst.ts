/**
 * The desk phase: the burst's orders submitted through the desk's HTTP API (POST /api/orders, in this process, on the
 * same client) instead of the client library, everything else as the burst does it, so that the two differ only by
 * the API: HTTP, Fastify, the schema check and the JSON both ways.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { OrderStored } from '../../src/contract';
import { buildDesk } from '../../src/desk/app';
import { uniqueId } from '../../test/support/environments';
import { cpuMeter } from './cpu';
import { cpuTotal, perPair } from './measure';
import type { CpuPerPair } from './measure';
import { oneOrder } from './order-flow';
import type { Submit } from './order-flow';
import type { Row } from './table';

export interface DeskBurstResult {
  seconds: number;
  ordersPerSecond: number;
  cpuPerPair: CpuPerPair;
}

export async function deskBurst(client: Client, n: number): Promise<DeskBurstResult> {
  const operatorToken = randomBytes(32).toString('base64url');
  const desk = await buildDesk({ client, operatorToken, link: { key: operatorToken, publicUrl: '' } });
  const url = await desk.listen({ host: '127.0.0.1', port: 0 });
  try {
    const batch = uniqueId('desk');
    const ids = Array.from({ length: n }, (_, i) => `${batch}-${i}`);
    const started = performance.now();
    const cpu = cpuMeter();
    const submit = submitThroughTheDesk(url, operatorToken);
    await Promise.all(ids.map((id, i) => oneOrder(client, id, i, submit)));
    const seconds = (performance.now() - started) / 1000;
    return { seconds, ordersPerSecond: n / seconds, cpuPerPair: perPair(cpu(), n) };
  } finally {
    await desk.close();
  }
}

/** POST /api/orders with the operator's token: the stored order's run id, as the client library's submission gives it. */
const submitThroughTheDesk =
  (url: string, token: string): Submit =>
  async (order) => {
    const response = await fetch(`${url}/api/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    // 202 is the burst's `acknowledged: false`: stored, the order's answer later than the desk's 10 s wait.
    if (response.status !== 201 && response.status !== 202)
      throw new Error(`order ${order.orderId}: the desk answered ${response.status}`);
    return ((await response.json()) as OrderStored).runId;
  };

/** The API's orders/s and CPU per pair against the burst's, both medians of the rounds' ratios. */
export const deskRows = (ratio: number, cpuRatio: number): Row[] => [
  ['desk: orders/s through the API / the client library', ratio.toFixed(2), '>= 0.90', ratio >= 0.9],
  ['desk: CPU per pair, the client library / the API', cpuRatio.toFixed(2), '>= 0.91', cpuRatio >= 1 / 1.1],
];

export const deskCpuRatio = (burst: CpuPerPair, desk: CpuPerPair): number => cpuTotal(burst) / cpuTotal(desk);
