/**
 * Prints figures for the order flow: N orders submitted at once, each confirmed at submission (kept, then
 * applied after validation), on a fresh dev server with one in-process order worker and one validator.
 * Measures submit-to-completion latency, throughput and the process's memory. Figures, not assertions:
 * `npm run benchmark` (BENCH_ORDERS=500 for more).
 */
import { performance } from 'node:perf_hooks';
import { confirmOrder, submitOrder } from '../src/orders';
import { orderWorkflowId } from '../src/shared';
import type { Order } from '../workflows/order';
import { createAppWorkers } from '../test/support/app-workers';
import { createDevServerEnv, uniqueId } from '../test/support/environments';

const orders = Number(process.env.BENCH_ORDERS ?? 200);

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const env = await createDevServerEnv();
  try {
    const { orders: orderWorker, validator } = await createAppWorkers(env);
    const batch = uniqueId('bench');
    const latencies: number[] = [];
    const run = async (): Promise<number> => {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: orders }, async (_, i) => {
          const orderId = `${batch}-${i}`;
          const submitted = performance.now();
          await submitOrder(env.client, {
            orderId,
            customerId: `customer-${i % 20}`,
            amount: 40 + (i % 100),
            currency: 'EUR',
            card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
            retainFor: '0 seconds',
          });
          await confirmOrder(env.client, orderId, 'A');
          const final = await env.client.workflow.getHandle<typeof Order>(orderWorkflowId(orderId)).result();
          if (final.status !== 'Confirmed') throw new Error(`order ${orderId} ended ${final.status}`);
          latencies.push(performance.now() - submitted);
        }),
      );
      return performance.now() - started;
    };
    const wallMs = await orderWorker.runUntil(validator.runUntil(run));
    const sorted = latencies.sort((a, b) => a - b);
    const memory = process.memoryUsage();
    console.log(`orders                 ${orders} (submitted at once, each confirmed at submission)`);
    console.log(`wall time              ${(wallMs / 1000).toFixed(2)} s`);
    console.log(`throughput             ${(orders / (wallMs / 1000)).toFixed(1)} orders/s`);
    console.log(
      `submit -> Confirmed    p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`,
    );
    console.log(`client+workers memory  rss ${mib(memory.rss)}, heap used ${mib(memory.heapUsed)}`);
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
