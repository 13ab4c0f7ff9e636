import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  TimeoutFailure,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common';
import type { createCreditCardValidatorActivities } from '../../activities/credit-card-validator';
import { ErrorType } from '../../src/contract/errors';
import { TaskQueue } from '../../src/contract/names';
import type { CreditCardValidationResult, ValidationPolicy } from '../../src/contract';
import {
  describeOrderProblems,
  findPolicyProblem,
  validationRetryPolicy,
} from '../../src/contract/order-input';
import { raiseAlert } from '../alerts';
import { workflowMetrics } from '../metrics';
import { openEpisode, statusLine } from './order-rules';
import { moveTo, mustContinueAsNew, now, refusePending } from './order-progress';
import type { OrderProgress } from './order-progress';

type RoundOutcome =
  | { kind: 'answered'; result: CreditCardValidationResult }
  | { kind: 'invalidCard'; reason: string }
  | { kind: 'stalled'; failure: string; unusablePolicy?: true }
  | { kind: 'cancelled' };

/** A non-retryable InvalidOrder naming every problem: the same words the client would have said. */
export const invalidOrder = (problems: string[]): ApplicationFailure =>
  ApplicationFailure.create({
    type: ErrorType.InvalidOrder,
    nonRetryable: true,
    message: describeOrderProblems(problems),
    details: [problems],
  });

/** E.g. "MAXIMUM_ATTEMPTS_REACHED: validator is refusing requests" or "TIMEOUT: SCHEDULE_TO_CLOSE timeout". */
function describeFailure(err: unknown): string {
  if (!(err instanceof ActivityFailure)) return err instanceof Error ? err.message : String(err);
  const cause =
    err.cause instanceof TimeoutFailure
      ? `${err.cause.timeoutType} timeout`
      : err.cause?.message || err.message || 'no reply';
  return err.retryState ? `${err.retryState}: ${cause}` : cause;
}

const validatorFor = (policy: ValidationPolicy) =>
  proxyActivities<ReturnType<typeof createCreditCardValidatorActivities>>({
    taskQueue: TaskQueue.creditCardValidation,
    startToCloseTimeout: policy.replyTimeout,
    scheduleToCloseTimeout: policy.deliveryWindow,
    retry: validationRetryPolicy(policy),
    // The validator heartbeats every second: a CancelOrder reaches it with the next heartbeat's answer, which the SDK
    // throttles to 80% of this, and a dead validator is noticed sooner.
    heartbeatTimeout: '5 seconds',
  }).validateCreditCard;

/** One validation round, and what the order makes of its outcome. */
export async function validate(run: OrderProgress): Promise<void> {
  const outcome = await validationRound(run);
  // Only an order still waiting for its card reacts to a validation result.
  const { status } = run.state;
  if ((status !== 'Pending' && status !== 'ValidationStalled') || outcome.kind === 'cancelled') return;
  if (outcome.kind === 'stalled') {
    // Asked for while this round ran and not answered by it: honoured now rather than a whole reactivateAfter later.
    if (run.resumeDuringRound) run.resumeRequested = true;
    run.resumeDuringRound = false;
    await onStalled(run, outcome.failure, outcome.unusablePolicy === true);
  } else onAnswered(run, outcome);
}

/** Waits out `reactivateAfter` (or a ResumeValidation); true when the next round is due. */
export async function waitForReactivation(run: OrderProgress): Promise<boolean> {
  const { state } = run;
  const due = Date.parse(state.validation.nextReactivationAt ?? '') - Date.now();
  if (!run.resumeRequested && due > 0) {
    await condition(
      () => run.resumeRequested || state.status !== 'ValidationStalled' || mustContinueAsNew(run),
      due,
    );
    return false;
  }
  const episode = openEpisode(state);
  if (episode) episode.reactivations += 1;
  log.info('re-activating validation', {
    orderId: state.orderId,
    byResume: run.resumeRequested,
    episode: episode?.episode,
  });
  run.resumeRequested = false;
  return true;
}

async function validationRound(run: OrderProgress): Promise<RoundOutcome> {
  const { order, state } = run;
  state.validation.rounds += 1;
  workflowMetrics.validationRound();
  setCurrentDetails(statusLine(state));
  const scope = new CancellationScope();
  run.validationInFlight = scope;
  try {
    const result = await scope.run(() =>
      validatorFor(run.settings.validationPolicy)({
        // One key per order: every redelivery, re-activation and continued run asks the same question.
        idempotencyKey: `validate-card:${order.orderId}`,
        orderId: order.orderId,
        customerId: order.customerId,
        amount: order.amount,
        currency: order.currency,
        card: order.card,
      }),
    );
    return { kind: 'answered', result };
  } catch (err) {
    if (isCancellation(err)) return { kind: 'cancelled' };
    // Not the validator's failure: the SDK refused to schedule the request with this policy, and every
    // re-activation will be refused the same way.
    if (!(err instanceof ActivityFailure)) {
      const problem = findPolicyProblem(run.settings.validationPolicy) ?? describeFailure(err);
      return { kind: 'stalled', failure: `validationPolicy is unusable: ${problem}`, unusablePolicy: true };
    }
    if (err.cause instanceof ApplicationFailure && err.cause.type === ErrorType.InvalidCardData)
      return { kind: 'invalidCard', reason: err.cause.message };
    return { kind: 'stalled', failure: describeFailure(err) };
  } finally {
    run.validationInFlight = undefined;
  }
}

/** One alert per outage: a round that stalls again within an open episode only updates it. */
async function onStalled(run: OrderProgress, failure: string, unusablePolicy: boolean): Promise<void> {
  const { state, settings } = run;
  state.validation.lastFailure = failure;
  if (unusablePolicy) state.validation.unusablePolicy = failure;
  state.validation.nextReactivationAt = new Date(
    Date.now() + msToNumber(settings.validationPolicy.reactivateAfter),
  ).toISOString();
  const ongoing = openEpisode(state);
  if (ongoing) {
    ongoing.lastFailure = failure;
    log.warn('validation stalled again', { orderId: state.orderId, episode: ongoing.episode, failure });
    setCurrentDetails(statusLine(state));
    return;
  }
  const episode = state.stallEpisodes.length + 1;
  const alertId = `${state.orderId}:validation-stalled:${episode}`;
  state.stallEpisodes.push({ episode, alertId, stalledAt: now(), reactivations: 0, lastFailure: failure });
  workflowMetrics.stallEpisode();
  moveTo(state, 'ValidationStalled', failure);
  await raiseAlert({
    alertId,
    kind: 'ValidationStalled',
    orderId: state.orderId,
    message: unusablePolicy
      ? `credit card validation for order ${state.orderId} cannot be requested: ${failure}; this is not a validator outage, and every re-activation will fail the same way (cancel the order and submit it again with a usable policy)`
      : `credit card validation for order ${state.orderId} stopped after ${settings.validationPolicy.maxAttempts} attempts (${failure}); re-activating at ${state.validation.nextReactivationAt}`,
  });
}

function onAnswered(run: OrderProgress, outcome: RoundOutcome & { kind: 'answered' | 'invalidCard' }): void {
  const { state } = run;
  const at = now();
  const episode = openEpisode(state);
  if (episode) episode.endedAt = at;
  delete state.validation.nextReactivationAt;
  delete state.validation.lastFailure;
  state.validation.answeredAt = at;
  run.resumeDuringRound = false;
  if (outcome.kind === 'answered' && outcome.result.outcome === 'CreditCardValidated') {
    state.validation.outcome = 'Validated';
    state.confirmBy = new Date(Date.now() + msToNumber(run.settings.confirmWithin)).toISOString();
    moveTo(state, 'Validated');
    return;
  }
  const reason =
    outcome.kind === 'invalidCard'
      ? `invalid card data: ${outcome.reason}`
      : 'reason' in outcome.result
        ? outcome.result.reason
        : 'card declined';
  state.validation.outcome = outcome.kind === 'invalidCard' ? 'InvalidCardData' : 'Failed';
  state.validation.reason = reason;
  refusePending(state, `card rejected: ${reason}`);
  moveTo(state, 'Rejected', reason);
}
