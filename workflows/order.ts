import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import type { createMatchOfferActivities } from '../activities/match-offer';
import type { createCreditCardValidatorActivities } from '../activities/credit-card-validator';
import type { createOrderNotificationActivities } from '../activities/order-notifications';
import {
  checkOrderSubmitted,
  describeOrderProblems,
  effectiveOrderSettings,
  findPolicyProblem,
  validationRetryPolicy,
} from '../src/contract/order-input';
import * as messages from '../src/contract/messages';
import { isDuration, problemsIn } from '../src/contract/messages';
import {
  cancelOrderSignal,
  confirmOrderSignal,
  CustomerIdAttribute,
  ErrorType,
  getOrderStateQuery,
  OrderStatusAttribute,
  resumeValidationSignal,
  TaskQueue,
} from '../src/contract';
import type {
  MatchOfferRequest,
  CreditCardValidationResult,
  OrderStatus,
  OrderSubmitted,
} from '../src/contract';
import {
  decideCancel,
  decideConfirm,
  decideResume,
  initialOrderState,
  isFinal,
  openEpisode,
  recordRefusal,
  statusLine,
} from './order-state';
import type { Decision, OrderCarriedState, OrderCommand, OrderState } from './order-state';
import { raiseAlert } from './alerts';
import { workflowMetrics } from './metrics';
import { orderPatches } from './patches';

export type { OrderCarriedState, OrderState, Refusal, StallEpisode, Transition } from '../src/contract';

// Wire names are the ones users type in the Web UI and the `temporal` CLI (see DESIGN.md).

type ValidatorActivities = ReturnType<typeof createCreditCardValidatorActivities>;

// Retried without limit: the notice is idempotent by orderId, and a confirmed order must be announced.
const { publishOrderConfirmed } = proxyActivities<ReturnType<typeof createOrderNotificationActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

// Retried without limit: an order must not go on without its match knowing the menus, and the offer is idempotent.
const matchOffer = proxyActivities<ReturnType<typeof createMatchOfferActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '1 minute' },
});

type RoundOutcome =
  | { kind: 'answered'; result: CreditCardValidationResult }
  | { kind: 'invalidCard'; reason: string }
  | { kind: 'stalled'; failure: string }
  | { kind: 'unusablePolicy'; problem: string }
  | { kind: 'cancelled' };

/** E.g. "MAXIMUM_ATTEMPTS_REACHED: validator is refusing requests" or "TIMEOUT: SCHEDULE_TO_CLOSE timeout". */
function describeFailure(err: unknown): string {
  if (!(err instanceof ActivityFailure)) return err instanceof Error ? err.message : String(err);
  const cause =
    err.cause instanceof TimeoutFailure
      ? `${err.cause.timeoutType} timeout`
      : err.cause?.message || err.message || 'no reply';
  return err.retryState ? `${err.retryState}: ${cause}` : cause;
}

/**
 * A duration the order runs by, as the SDK reads it (`msToNumber`). An order started before durations were checked
 * may hold one the SDK cannot read: it counts as none, as it always has.
 */
const msOf = (duration: Duration | undefined): number | undefined =>
  isDuration(duration, false) ? msToNumber(duration) : undefined;

/** The OrderProcessor of the reference: one workflow per order, from submission to a final status. */
export async function Order(input: OrderSubmitted, carried?: OrderCarriedState): Promise<OrderState> {
  // A continued run's input was checked by its first run; re-checking it with today's rules could fail an order
  // that has been running for weeks.
  const order = carried ? input : checkFirstRunInput(input);
  // Fixed once, at the first run, and carried: a default changed since then never reaches this order.
  const settings = carried?.settings ?? effectiveOrderSettings(order);
  const policy = settings.validationPolicy;
  const retainForMs = msOf(settings.retainFor) ?? 0;
  const confirmWithinMs = msOf(settings.confirmWithin);
  const reactivateAfterMs = msOf(policy.reactivateAfter) ?? 0;

  const { validateCreditCard } = proxyActivities<ValidatorActivities>({
    taskQueue: TaskQueue.creditCardValidation,
    startToCloseTimeout: policy.replyTimeout,
    scheduleToCloseTimeout: policy.deliveryWindow,
    retry: validationRetryPolicy(policy),
    // The validator heartbeats every second; a CancelOrder's cancellation reaches it with the next heartbeat's answer,
    // which the SDK throttles to 80% of this (without it, to 30 seconds). A dead validator is also noticed sooner.
    heartbeatTimeout: '5 seconds',
  });

  const now = (): string => new Date().toISOString();
  const state: OrderState = carried?.state ?? initialOrderState(order, now());
  let resumeRequested = carried?.resumeRequested ?? false;
  // A ResumeValidation that came while a round was already asking: it counts if that round stalls too.
  let resumeDuringRound = false;
  let validationInFlight: CancellationScope | undefined;

  const publish = (): void => {
    upsertSearchAttributes([
      { key: OrderStatusAttribute, value: state.status },
      { key: CustomerIdAttribute, value: state.customerId },
    ]);
    setCurrentDetails(statusLine(state));
  };

  const moveTo = (status: OrderStatus, note?: string): void => {
    const from = state.status;
    const at = now();
    state.status = status;
    state.transitions.push(note === undefined ? { status, at } : { status, at, note });
    if (isFinal(status)) state.retainUntil = new Date(Date.now() + retainForMs).toISOString();
    if (status === 'Validated') workflowMetrics.orderValidated(state.submittedAt, at);
    if (status === 'Confirmed') workflowMetrics.orderConfirmed(state.submittedAt, at);
    if (isFinal(status)) workflowMetrics.orderFinished(status);
    log.info('order status changed', { orderId: state.orderId, from, to: status, note });
    publish();
  };

  const refuse = (
    command: OrderCommand,
    reason: string,
    extra: { menuId?: string; eventId?: string } = {},
  ): void => {
    if (recordRefusal(state, { command, reason, at: now(), ...extra })) {
      log.info('command refused', { orderId: state.orderId, command, reason, ...extra });
    }
  };

  const answer = (
    command: OrderCommand,
    decision: Decision,
    extra: { menuId?: string; eventId?: string } = {},
  ) => {
    if (decision.kind === 'refuse') refuse(command, decision.reason, extra);
    if (decision.kind === 'duplicate')
      log.info('command changes nothing', { orderId: state.orderId, command, why: decision.why });
    return decision.kind === 'accept';
  };

  setHandler(getOrderStateQuery, () => state);

  const orderIdOf = (payload: unknown): unknown => (payload as { orderId?: unknown } | null)?.orderId;
  const isOtherOrders = (payload: unknown): boolean => orderIdOf(payload) !== state.orderId;
  const otherOrders = (payload: unknown): string =>
    `orderId ${JSON.stringify(orderIdOf(payload))} is another order's`;

  /**
   * A command sent by hand may be anything. One that is malformed or names another order is refused and recorded,
   * never applied; the check calls patched() only for such a command, so histories of well-formed ones replay as
   * they are, and an old history holding a malformed one replays the way it ran.
   */
  const malformed = (command: OrderCommand, payload: unknown): boolean => {
    const schema = messages[command]();
    const problems = problemsIn(schema, payload).map((p) => p.message);
    if (problems.length === 0 && isOtherOrders(payload)) problems.push(otherOrders(payload));
    if (problems.length === 0) return false;
    // Too long and nothing else: before the bounds such a command was applied, and such an order replays so.
    const tooLongOnly =
      problemsIn(schema, payload, { lengthBounds: false }).length === 0 && !isOtherOrders(payload);
    if (!patched(tooLongOnly ? orderPatches.lengthBounds : orderPatches.commandsChecked)) return false;
    const menuId = (payload as { menuId?: unknown } | null)?.menuId;
    refuse(
      command,
      `malformed ${command}: ${problems.join('; ')}`,
      typeof menuId === 'string' ? { menuId } : {},
    );
    return true;
  };

  setHandler(confirmOrderSignal, (command) => {
    if (malformed('ConfirmOrder', command)) return;
    const extra =
      command.eventId === undefined
        ? { menuId: command.menuId }
        : { menuId: command.menuId, eventId: command.eventId };
    if (!answer('ConfirmOrder', decideConfirm(state, command), extra)) return;
    state.pendingConfirmation = { ...extra, receivedAt: now() };
    setCurrentDetails(statusLine(state));
  });

  setHandler(resumeValidationSignal, (command) => {
    if (malformed('ResumeValidation', command)) return;
    if (!answer('ResumeValidation', decideResume(state))) return;
    // A second round alongside the one already asking would be redundant; wait for what that one says.
    if (validationInFlight) {
      log.info('ResumeValidation deferred', { orderId: state.orderId, why: 'validation in progress' });
      resumeDuringRound = true;
    } else resumeRequested = true;
  });

  setHandler(cancelOrderSignal, (command) => {
    if (malformed('CancelOrder', command)) return;
    if (!answer('CancelOrder', decideCancel(state, command))) return;
    state.cancellation = command.reason === undefined ? { at: now() } : { reason: command.reason, at: now() };
    const pending = state.pendingConfirmation;
    if (pending) {
      state.pendingConfirmation = undefined;
      refuse('ConfirmOrder', 'order was cancelled before it could be confirmed', pending);
    }
    delete state.validation.nextReactivationAt;
    moveTo('Cancelled', command.reason);
    validationInFlight?.cancel();
  });

  const mustContinueAsNew = (): boolean => {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      (settings.maxHistoryEvents !== undefined && info.historyLength >= settings.maxHistoryEvents)
    );
  };

  async function validationRound(): Promise<RoundOutcome> {
    state.validation.rounds += 1;
    workflowMetrics.validationRound();
    setCurrentDetails(statusLine(state));
    const scope = new CancellationScope();
    validationInFlight = scope;
    try {
      const result = await scope.run(() =>
        validateCreditCard({
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
      // Not a failure of the validator: the SDK refused to schedule the request at all (an order from before
      // policies were checked at submission), and every re-activation will be refused the same way.
      if (!(err instanceof ActivityFailure)) {
        const problem = findPolicyProblem(policy) ?? describeFailure(err);
        return { kind: 'unusablePolicy', problem: `validationPolicy is unusable: ${problem}` };
      }
      if (
        err instanceof ActivityFailure &&
        err.cause instanceof ApplicationFailure &&
        err.cause.type === ErrorType.InvalidCardData
      ) {
        return { kind: 'invalidCard', reason: err.cause.message };
      }
      return { kind: 'stalled', failure: describeFailure(err) };
    } finally {
      validationInFlight = undefined;
    }
  }

  async function onStalled(failure: string, unusablePolicy = false): Promise<void> {
    state.validation.lastFailure = failure;
    if (unusablePolicy) state.validation.unusablePolicy = failure;
    state.validation.nextReactivationAt = new Date(Date.now() + reactivateAfterMs).toISOString();
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
    moveTo('ValidationStalled', failure);
    await raiseAlert({
      alertId,
      kind: 'ValidationStalled',
      orderId: state.orderId,
      message: unusablePolicy
        ? `credit card validation for order ${state.orderId} cannot be requested: ${failure}; this is not a validator outage, and every re-activation will fail the same way (cancel the order and submit it again with a usable policy)`
        : `credit card validation for order ${state.orderId} stopped after ${policy.maxAttempts} attempts (${failure}); re-activating at ${state.validation.nextReactivationAt}`,
    });
  }

  function onAnswered(outcome: RoundOutcome & { kind: 'answered' | 'invalidCard' }): void {
    const at = now();
    const episode = openEpisode(state);
    if (episode) episode.endedAt = at;
    delete state.validation.nextReactivationAt;
    delete state.validation.lastFailure;
    state.validation.answeredAt = at;
    resumeDuringRound = false;
    if (outcome.kind === 'answered' && outcome.result.outcome === 'CreditCardValidated') {
      state.validation.outcome = 'Validated';
      // Orders validated before the deadline existed wait for ConfirmOrder as long as it takes, as they did.
      if (confirmWithinMs !== undefined && patched(orderPatches.confirmationDeadline))
        state.confirmBy = new Date(Date.now() + confirmWithinMs).toISOString();
      moveTo('Validated');
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
    const pending = state.pendingConfirmation;
    if (pending) {
      state.pendingConfirmation = undefined;
      refuse('ConfirmOrder', `card rejected: ${reason}`, pending);
    }
    moveTo('Rejected', reason);
  }

  async function validate(): Promise<void> {
    const outcome = await validationRound();
    // As in the reference, only an order still waiting for its card reacts to a validation result.
    if (state.status !== 'Pending' && state.status !== 'ValidationStalled') return;
    if (outcome.kind === 'cancelled') return;
    if (outcome.kind === 'stalled' || outcome.kind === 'unusablePolicy') {
      if (resumeDuringRound) {
        resumeDuringRound = false;
        // Asked for while this round ran and not answered by it: honour it now rather than a whole
        // reactivateAfter later. Orders that ran before this change dropped it; they replay as they ran.
        if (patched(orderPatches.resumeDeferredDuringRound)) resumeRequested = true;
      }
      if (outcome.kind === 'stalled') await onStalled(outcome.failure);
      else await onStalled(outcome.problem, true);
    } else onAnswered(outcome);
  }

  async function confirm(): Promise<void> {
    const pending = state.pendingConfirmation;
    if (!pending) return;
    state.pendingConfirmation = undefined;
    state.confirmation = { menuId: pending.menuId, confirmedAt: now(), published: false };
    if (pending.eventId !== undefined) state.confirmation.eventId = pending.eventId;
    moveTo('Confirmed', `menu ${pending.menuId}`);
    await publishOrderConfirmed({
      orderId: state.orderId,
      menuId: pending.menuId,
      customerId: state.customerId,
      amount: state.amount,
      currency: state.currency,
    });
    state.confirmation.published = true;
  }

  async function expire(): Promise<void> {
    moveTo('Expired', `no ConfirmOrder by ${state.confirmBy}`);
    await raiseAlert({
      alertId: `${state.orderId}:order-expired`,
      kind: 'OrderExpired',
      orderId: state.orderId,
      message: `order ${state.orderId} was validated but no menu was confirmed by ${state.confirmBy} (confirmWithin ${String(settings.confirmWithin)}); it has expired`,
    });
  }

  async function awaitConfirmation(): Promise<void> {
    const woken = () =>
      state.pendingConfirmation !== undefined || state.status !== 'Validated' || mustContinueAsNew();
    if (state.confirmBy === undefined) return condition(woken);
    const left = Date.parse(state.confirmBy) - Date.now();
    if (!(left > 0) || !(await condition(woken, left))) await expire();
  }

  /**
   * Makes sure `catering-match-<orderId>` knows this order's menus and their caterers, however and whenever it was
   * started: the activity signals-with-start the match, so a running match gets the offer and a match not yet there
   * starts with it. A finished match is left alone (a decided match is never restarted).
   */
  async function offerMenusToMatch(): Promise<void> {
    const menus = order.menus?.length ? order.menus : undefined;
    const request: MatchOfferRequest = {
      offer: menus ? { orderId: order.orderId, menus } : { orderId: order.orderId },
    };
    if (settings.confirmWithin !== undefined) request.confirmWithin = settings.confirmWithin;
    const how = await matchOffer.offerMenusToMatch(request);
    state.matchOffer = { at: now(), how };
  }

  async function waitForReactivation(): Promise<boolean> {
    const due = Date.parse(state.validation.nextReactivationAt ?? '') - Date.now();
    if (!resumeRequested && due > 0) {
      await condition(
        () => resumeRequested || state.status !== 'ValidationStalled' || mustContinueAsNew(),
        due,
      );
      return false;
    }
    const episode = openEpisode(state);
    if (episode) episode.reactivations += 1;
    log.info('re-activating validation', {
      orderId: state.orderId,
      byResume: resumeRequested,
      episode: episode?.episode,
    });
    resumeRequested = false;
    return true;
  }

  if (carried) log.info('order continued as new', { orderId: state.orderId, run: state.run });
  else workflowMetrics.orderSubmitted();
  publish();
  // Orders started before this hand nothing to their match, which learns menus from events as it always did.
  if (!carried && patched(orderPatches.menusToMatch)) await offerMenusToMatch();

  while (!isFinal(state.status)) {
    if (mustContinueAsNew()) {
      state.run += 1;
      return continueAsNew<typeof Order>(order, { state, resumeRequested, settings });
    }
    switch (state.status) {
      case 'Pending':
        await validate();
        break;
      case 'ValidationStalled':
        if (await waitForReactivation()) await validate();
        break;
      case 'Validated':
        if (state.pendingConfirmation) await confirm();
        else await awaitConfirmation();
        break;
    }
  }

  // Late commands keep getting a recorded answer for a while instead of "workflow not found".
  for (;;) {
    const left = Date.parse(state.retainUntil ?? '') - Date.now();
    if (!(left > 0)) break;
    if (mustContinueAsNew()) {
      state.run += 1;
      return continueAsNew<typeof Order>(order, { state, resumeRequested, settings });
    }
    await condition(mustContinueAsNew, left);
  }
  return state;
}

/**
 * The first run's check of its input. Orders that started before durations and retry policies were checked with the
 * SDK's rules are held to the rules they started with when they replay, so no running order is failed by the
 * stricter check.
 */
function checkFirstRunInput(input: unknown): OrderSubmitted {
  let checked = checkOrderSubmitted(input);
  if (!checked.ok) {
    // Too long and nothing else: an order started before the bounds was accepted so, and replays so.
    const unbounded = checkOrderSubmitted(input, { lengthBounds: false });
    if (unbounded.ok && !patched(orderPatches.lengthBounds)) checked = unbounded;
  }
  // Reached only replaying an order from before both the SDK's rules and the bounds.
  if (!checked.ok && !patched(orderPatches.sdkInputRules))
    checked = checkOrderSubmitted(input, { lenientTiming: true, lengthBounds: false });
  if (!checked.ok) {
    throw ApplicationFailure.create({
      type: ErrorType.InvalidOrder,
      nonRetryable: true,
      message: describeOrderProblems(checked.problems),
      details: [checked.problems],
    });
  }
  return checked.order;
}
