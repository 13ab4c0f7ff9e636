/**
 * The app's metric names, shared by the workflows, the validator's activity, the dashboards and their test. No imports:
 * safe in the workflow sandbox and in any process.
 */
/** Every app metric name as Prometheus shows it (the SDK adds no prefix to these; histograms get _bucket/_sum/_count). */
export const appMetric = {
  ordersSubmitted: 'catering_orders_submitted',
  ordersFinished: 'catering_orders_finished',
  validationRounds: 'catering_order_validation_rounds',
  stallEpisodes: 'catering_order_stall_episodes',
  submitToValidatedMs: 'catering_order_submit_to_validated_ms',
  submitToConfirmedMs: 'catering_order_submit_to_confirmed_ms',
  matchesFinished: 'catering_matches_finished',
  confirmationToConfirmOrderMs: 'catering_match_confirmation_to_confirm_order_ms',
  validatorAnswers: 'catering_validator_answers',
} as const;

/** Bucket bounds of the latency histograms, in ms: fine below 100 ms (the ConfirmOrder target), coarse up to hours. */
export const latencyBucketsMs = [
  5, 10, 25, 50, 75, 100, 150, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 3_600_000,
];

/** The histograms above, which take those bounds. */
export const latencyHistograms = [
  appMetric.submitToValidatedMs,
  appMetric.submitToConfirmedMs,
  appMetric.confirmationToConfirmOrderMs,
];
