/**
 * The app's own metrics, emitted from workflows through the SDK's workflow metric meter. That meter drops every call
 * made while a workflow replays, so a worker that rebuilds a workflow from its history (a cache eviction, a restart)
 * counts nothing twice. Sandbox-safe: imported by workflows, and by the dashboard test for the names.
 */
import { metricMeter } from '@temporalio/workflow';
import type { MetricCounter, MetricHistogram } from '@temporalio/common';
import { appMetric } from '../src/contract/metric-names';

export { appMetric };

let counters: Map<string, MetricCounter> | undefined;
let histograms: Map<string, MetricHistogram> | undefined;

function counter(name: string, description: string): MetricCounter {
  counters ??= new Map();
  let metric = counters.get(name);
  if (!metric) counters.set(name, (metric = metricMeter.createCounter(name, undefined, description)));
  return metric;
}

function histogram(name: string, description: string): MetricHistogram {
  histograms ??= new Map();
  let metric = histograms.get(name);
  if (!metric) histograms.set(name, (metric = metricMeter.createHistogram(name, 'int', 'ms', description)));
  return metric;
}

const elapsedMs = (from: string, to: string): number | undefined => {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
};

/** What the Order and CateringMatch workflows report; each call is one business event, counted once. */
export const workflowMetrics = {
  orderSubmitted(): void {
    counter(appMetric.ordersSubmitted, 'orders whose workflow started (first run only)').add(1);
  },
  orderFinished(status: string): void {
    counter(appMetric.ordersFinished, 'orders that reached a final status, by status').add(1, { status });
  },
  validationRound(): void {
    counter(appMetric.validationRounds, 'credit card validation rounds started').add(1);
  },
  stallEpisode(): void {
    counter(appMetric.stallEpisodes, 'validation outages that stalled an order (one per episode)').add(1);
  },
  orderValidated(submittedAt: string, at: string): void {
    const ms = elapsedMs(submittedAt, at);
    if (ms !== undefined)
      histogram(appMetric.submitToValidatedMs, 'from OrderStored to Validated').record(ms);
  },
  orderConfirmed(submittedAt: string, at: string): void {
    const ms = elapsedMs(submittedAt, at);
    if (ms !== undefined)
      histogram(appMetric.submitToConfirmedMs, 'from OrderStored to Confirmed').record(ms);
  },
  matchFinished(status: string): void {
    counter(appMetric.matchesFinished, 'catering matches that ended, by outcome').add(1, { status });
  },
  confirmOrderSent(lastConfirmationAt: string, sentAt: string): void {
    const ms = elapsedMs(lastConfirmationAt, sentAt);
    if (ms !== undefined)
      histogram(
        appMetric.confirmationToConfirmOrderMs,
        'from the confirmation that agreed a menu to ConfirmOrder delivered to the order',
      ).record(ms);
  },
};
