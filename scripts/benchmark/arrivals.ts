/** An open-loop generator: arrivals at a fixed rate, whatever happens to earlier ones. */
import { performance } from 'node:perf_hooks';
import { percentile } from './measure';

/**
 * Runs `run(i)` at `rate` per second for `seconds`, whatever happens to earlier ones; samples the number in flight
 * every second, and how late each arrival left this process (a late load generator would flatter the server).
 */
export async function arrivals<T>(rate: number, seconds: number, run: (i: number) => Promise<T>) {
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
