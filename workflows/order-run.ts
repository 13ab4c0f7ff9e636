import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
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
  cancelOrderSignal,
  cancelOrderUpdate,
  confirmOrderSignal,
  confirmOrderUpdate,
  CustomerIdAttribute,
  ErrorType,
  getOrderStateQuery,
  OrderStatusAttribute,
  resumeValidationSignal,
  resumeValidationUpdate,
  submitOrderUpdate,
  TaskQueue,
} from '../src/contract';
import * as messages from '../src/contract/messages';
import { isDuration, problemsIn } from '../src/contract/messages';
import {
  checkOrderSubmitted,
  describeOrderProblems,
  findPolicyProblem,
  isSameCheckedOrder,
  sameJson,
  validationRetryPolicy,
} from '../src/contract/order-input';
import type {
  CancelOrder,
  CommandAnswer,
  ConfirmOrder,
  CreditCardValidationResult,
  MatchOfferRequest,
  OrderCarriedState,
  OrderCommand,
  OrderSettings,
  OrderState,
  OrderStatus,
  OrderStored,
  OrderSubmitted,
  ResumeValidation,
} from '../src/contract';
import { raiseAlert } from './alerts';
import { workflowMetrics } from './metrics';
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
import type { Decision } from './order-state';
import type { PatchSet } from './patch-set';
import { orderPatches } from './patches';

// Retried without limit: the notice is idempotent by orderId, and a confirmed order must be announced.
const { publishOrderConfirmed } = proxyActivities<ReturnType<typeof createOrderNotificationActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

// Retried without limit: an order must not go on without its match knowing the menus, and the offer is idempotent.
const matchOfferOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '1 minute' },
} as const;
const matchOffer = proxyActivities<ReturnType<typeof createMatchOfferActivities>>(matchOfferOptions);
// The same hand-over run by the order's own worker inside the workflow task, as orders started with
// orderPatches.leanStart (and before offersByActivity) ran it: a marker in the first task instead of an activity task
// and a second workflow task.
const localMatchOffer =
  proxyLocalActivities<ReturnType<typeof createMatchOfferActivities>>(matchOfferOptions);

type RoundOutcome =
  | { kind: 'answered'; result: CreditCardValidationResult }
  | { kind: 'invalidCard'; reason: string }
  | { kind: 'stalled'; failure: string }
  | { kind: 'unusablePolicy'; problem: string }
  | { kind: 'cancelled' };

type CommandRef = { menuId?: string; eventId?: string };

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

const now = (): string => new Date().toISOString();

/** A non-retryable InvalidOrder naming every problem: the same words the client would have said. */
export const invalidOrder = (problems: string[]): ApplicationFailure =>
  ApplicationFailure.create({
    type: ErrorType.InvalidOrder,
    nonRetryable: true,
    message: describeOrderProblems(problems),
    details: [problems],
  });
const orderIdOf = (payload: unknown): unknown => (payload as { orderId?: unknown } | null)?.orderId;

/**
 * One run of an Order: its state, and what each step and each command does to it. The constructor registers the
 * handlers; `workflows/order.ts` drives the steps. Everything here runs in the workflow sandbox, so the order of its
 * `patched()` calls and commands is part of every recorded history: keep it.
 */
export class OrderRun {
  readonly state: OrderState;
  private resumeRequested: boolean;
  /** A ResumeValidation that came while a round was already asking: it counts if that round stalls too. */
  private resumeDuringRound = false;
  private validationInFlight: CancellationScope | undefined;
  private readonly retainForMs: number;
  private readonly confirmWithinMs: number | undefined;
  private readonly reactivateAfterMs: number;
  /** Not a continued run: only the first run's first task can be the one a submission started. */
  private readonly firstRun: boolean;
  private answeredASubmission = false;
  /** Started with `leanStart` or later: upserts nothing its start set. */
  private readonly startedLean: boolean;
  /** Started with `leanStart` and before `offersByActivity`: hands its menus over in a local activity. */
  private readonly offersLocally: boolean;
  /** Started with `offersBesideValidation`: validates while the offer is out. */
  private readonly offersBesideValidation: boolean;
  /** The hand-over to the match while it is out; the order neither closes nor continues as new before it is done. */
  private offering: Promise<void> | undefined;
  private readonly validateCreditCard: ReturnType<
    typeof createCreditCardValidatorActivities
  >['validateCreditCard'];

  constructor(
    private readonly order: OrderSubmitted,
    /** Fixed once, at the first run, and carried: a default changed since then never reaches this order. */
    readonly settings: OrderSettings,
    /** Which patched paths this run takes; asked in the order its commands are made. */
    private readonly patches: PatchSet,
    carried?: OrderCarriedState,
  ) {
    const policy = settings.validationPolicy;
    this.retainForMs = msOf(settings.retainFor) ?? 0;
    this.confirmWithinMs = msOf(settings.confirmWithin);
    this.reactivateAfterMs = msOf(policy.reactivateAfter) ?? 0;
    this.validateCreditCard = proxyActivities<ReturnType<typeof createCreditCardValidatorActivities>>({
      taskQueue: TaskQueue.creditCardValidation,
      startToCloseTimeout: policy.replyTimeout,
      scheduleToCloseTimeout: policy.deliveryWindow,
      retry: validationRetryPolicy(policy),
      // The validator heartbeats every second; a CancelOrder's cancellation reaches it with the next heartbeat's
      // answer, which the SDK throttles to 80% of this (without it, to 30 seconds). A dead validator is also noticed
      // sooner.
      heartbeatTimeout: '5 seconds',
    }).validateCreditCard;
    this.state = carried?.state ?? initialOrderState(order, now());
    this.resumeRequested = carried?.resumeRequested ?? false;
    this.firstRun = carried === undefined;
    this.startedLean = patches.startedWith(orderPatches.leanStart);
    this.offersLocally = this.startedLean && !patches.startedWith(orderPatches.offersByActivity);
    this.offersBesideValidation = patches.startedWith(orderPatches.offersBesideValidation);

    setHandler(getOrderStateQuery, () => this.state);
    // A signal is in history before the order sees it: a malformed one is refused and recorded.
    setHandler(confirmOrderSignal, (command) => {
      if (!this.malformed('ConfirmOrder', command)) this.confirmOrder(command);
    });
    setHandler(resumeValidationSignal, (command) => {
      if (!this.malformed('ResumeValidation', command)) this.resumeValidation(command);
    });
    setHandler(cancelOrderSignal, (command) => {
      if (!this.malformed('CancelOrder', command)) this.cancelOrder(command);
    });
    // An update's validator runs before anything is written: a malformed command is rejected and leaves no event.
    setHandler(confirmOrderUpdate, (command) => this.confirmOrder(command), {
      validator: (command) => this.rejectMalformed('ConfirmOrder', command),
    });
    setHandler(resumeValidationUpdate, (command) => this.resumeValidation(command), {
      validator: (command) => this.rejectMalformed('ResumeValidation', command),
    });
    setHandler(cancelOrderUpdate, (command) => this.cancelOrder(command), {
      validator: (command) => this.rejectMalformed('CancelOrder', command),
    });
    setHandler(submitOrderUpdate, () => this.stored(), {
      validator: (submission) => this.rejectConflict(submission),
    });
  }

  /** Every handler has returned: the run may complete or continue as new without cutting an update short. */
  async handlersFinished(): Promise<void> {
    if (this.offering) await this.offering;
    await condition(allHandlersFinished);
  }

  /** What continue-as-new hands to the next run. */
  carried(): OrderCarriedState {
    this.state.run += 1;
    return { state: this.state, resumeRequested: this.resumeRequested, settings: this.settings };
  }

  mustContinueAsNew(): boolean {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      (this.settings.maxHistoryEvents !== undefined && info.historyLength >= this.settings.maxHistoryEvents)
    );
  }

  /**
   * Search attributes and the Web UI's current details, from the state. An order started with `leanStart` or later
   * upserts nothing its start already set (placeOrder sets both): an upsert that changes nothing is still a command, an event
   * and a visibility write.
   */
  publish(): void {
    setCurrentDetails(statusLine(this.state));
    const { status, customerId } = this.state;
    const visible = workflowInfo().typedSearchAttributes;
    if (
      this.startedLean &&
      visible.get(OrderStatusAttribute) === status &&
      visible.get(CustomerIdAttribute) === customerId
    )
      return;
    upsertSearchAttributes([
      { key: OrderStatusAttribute, value: status },
      { key: CustomerIdAttribute, value: customerId },
    ]);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Commands

  /**
   * Before validation a ConfirmOrder is kept and applied once the card is validated; a Validated order confirms in
   * the same workflow task (the answer's status is still Validated, `getState` says Confirmed right after).
   */
  private confirmOrder(command: ConfirmOrder): CommandAnswer {
    const ref =
      command.eventId === undefined
        ? { menuId: command.menuId }
        : { menuId: command.menuId, eventId: command.eventId };
    const decision: Decision = this.pastConfirmBy()
      ? { kind: 'refuse', reason: `order expired: no ConfirmOrder by ${this.state.confirmBy}` }
      : decideConfirm(this.state, command);
    if (!this.answer('ConfirmOrder', decision, ref)) return this.answerOf(decision);
    this.state.pendingConfirmation = { ...ref, receivedAt: now() };
    setCurrentDetails(statusLine(this.state));
    return this.answerOf(decision);
  }

  /**
   * Validated, and its `confirmBy` reached by the workflow's clock while the deadline timer has not fired yet (it
   * fires in this task, after the handlers, or in a later one): the order is as good as expired.
   */
  private pastConfirmBy(): boolean {
    const { status, confirmBy } = this.state;
    return (
      status === 'Validated' &&
      confirmBy !== undefined &&
      Date.now() >= Date.parse(confirmBy) &&
      patched(orderPatches.confirmByBeforeLateCommands)
    );
  }

  private resumeValidation(_command: ResumeValidation): CommandAnswer {
    const decision = decideResume(this.state);
    if (!this.answer('ResumeValidation', decision)) return this.answerOf(decision);
    // A second round alongside the one already asking would be redundant; wait for what that one says.
    if (this.validationInFlight) {
      log.info('ResumeValidation deferred', { orderId: this.state.orderId, why: 'validation in progress' });
      this.resumeDuringRound = true;
    } else this.resumeRequested = true;
    return this.answerOf(decision);
  }

  private cancelOrder(command: CancelOrder): CommandAnswer {
    const decision = decideCancel(this.state, command);
    if (!this.answer('CancelOrder', decision)) return this.answerOf(decision);
    const at = now();
    this.state.cancellation = command.reason === undefined ? { at } : { reason: command.reason, at };
    this.refusePending('order was cancelled before it could be confirmed');
    delete this.state.validation.nextReactivationAt;
    this.moveTo('Cancelled', command.reason);
    this.validationInFlight?.cancel();
    return this.answerOf(decision);
  }

  private answerOf(decision: Decision): CommandAnswer {
    const { status } = this.state;
    if (decision.kind === 'refuse') return { outcome: 'refused', status, reason: decision.reason };
    if (decision.kind === 'duplicate') return { outcome: 'duplicate', status, reason: decision.why };
    return { outcome: 'applied', status };
  }

  /** What is wrong with a command sent by hand, by its schema, or that it names another order; none when nothing. */
  private commandProblems(schema: ReturnType<(typeof messages)[OrderCommand]>, payload: unknown): string[] {
    const problems = problemsIn(schema, payload).map((p) => p.message);
    if (problems.length === 0 && orderIdOf(payload) !== this.state.orderId)
      problems.push(`orderId ${JSON.stringify(orderIdOf(payload))} is another order's`);
    return problems;
  }

  /** The update's validator: a malformed command, or one for another order, is rejected with what is wrong. */
  private rejectMalformed(command: OrderCommand, payload: unknown): void {
    const problems = this.commandProblems(messages[command](), payload);
    if (problems.length === 0) return;
    throw ApplicationFailure.create({
      type: ErrorType.InvalidCommand,
      nonRetryable: true,
      message: `malformed ${command}: ${problems.join('; ')}`,
      details: [problems],
    });
  }

  /**
   * SubmitOrder's validator: the same orderId with other content is refused, and so is a submission that is no
   * order at all; a rejected update leaves no event in the order's history.
   */
  private rejectConflict(submission: unknown): void {
    // The submission sent with the start (placeOrder's update-with-start) is this run's input, already checked:
    // building the order schema again to say so was a fifth of an order's first task (profiled in a burst).
    if (sameJson(submission, this.order)) return;
    const checked = checkOrderSubmitted(submission);
    if (!checked.ok) throw invalidOrder(checked.problems);
    if (!isSameCheckedOrder(this.order, checked.order)) {
      throw ApplicationFailure.create({
        type: ErrorType.OrderConflict,
        nonRetryable: true,
        message: `order ${this.state.orderId} already exists with different content; use a new orderId for a new order`,
      });
    }
  }

  /**
   * OrderStored, from the order itself. `created`: this submission is the one the order started with, i.e. it came
   * with the start (update-with-start): the first one handled in the first run's first workflow task, whose history
   * is the start event and that task's two events. Submissions that reached the order before its first task ran
   * (a retry while no worker answered) are duplicates of it. The history cannot tell a start by hand whose first
   * task had not run yet when a submission came: that submission is answered created too.
   */
  private stored(): OrderStored {
    const info = workflowInfo();
    const created = this.firstRun && info.historyLength <= 3 && !this.answeredASubmission;
    this.answeredASubmission = true;
    return {
      orderId: this.state.orderId,
      workflowId: info.workflowId,
      runId: info.runId,
      status: this.state.status,
      created,
      acknowledged: true,
    };
  }

  /**
   * A command sent by hand may be anything. One that is malformed or names another order is refused and recorded,
   * never applied; the check calls patched() only for such a command, so histories of well-formed ones replay as
   * they are, and an old history holding a malformed one replays the way it ran.
   */
  private malformed(command: OrderCommand, payload: unknown): boolean {
    const schema = messages[command]();
    const problems = this.commandProblems(schema, payload);
    if (problems.length === 0) return false;
    const otherOrder = orderIdOf(payload) !== this.state.orderId;
    // Too long and nothing else: before the bounds such a command was applied, and such an order replays so.
    const tooLongOnly = problemsIn(schema, payload, { lengthBounds: false }).length === 0 && !otherOrder;
    if (!this.patches.has(tooLongOnly ? orderPatches.lengthBounds : orderPatches.commandsChecked))
      return false;
    const menuId = (payload as { menuId?: unknown } | null)?.menuId;
    this.refuse(
      command,
      `malformed ${command}: ${problems.join('; ')}`,
      typeof menuId === 'string' ? { menuId } : {},
    );
    return true;
  }

  /** Records a refusal or a no-op the pure rules decided; true when the command is to be applied. */
  private answer(command: OrderCommand, decision: Decision, ref: CommandRef = {}): boolean {
    if (decision.kind === 'refuse') this.refuse(command, decision.reason, ref);
    if (decision.kind === 'duplicate')
      log.info('command changes nothing', { orderId: this.state.orderId, command, why: decision.why });
    return decision.kind === 'accept';
  }

  private refuse(command: OrderCommand, reason: string, ref: CommandRef = {}): void {
    if (recordRefusal(this.state, { command, reason, at: now(), ...ref })) {
      log.info('command refused', { orderId: this.state.orderId, command, reason, ...ref });
    }
  }

  /** A ConfirmOrder kept while the card was being validated, refused because the order went another way. */
  private refusePending(reason: string): void {
    const pending = this.state.pendingConfirmation;
    if (!pending) return;
    this.state.pendingConfirmation = undefined;
    this.refuse('ConfirmOrder', reason, pending);
  }

  private moveTo(status: OrderStatus, note?: string): void {
    const state = this.state;
    const from = state.status;
    const at = now();
    state.status = status;
    state.transitions.push(note === undefined ? { status, at } : { status, at, note });
    if (isFinal(status)) state.retainUntil = new Date(Date.now() + this.retainForMs).toISOString();
    if (status === 'Validated') workflowMetrics.orderValidated(state.submittedAt, at);
    if (status === 'Confirmed') workflowMetrics.orderConfirmed(state.submittedAt, at);
    if (isFinal(status)) workflowMetrics.orderFinished(status);
    log.info('order status changed', { orderId: state.orderId, from, to: status, note });
    this.publish();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Steps

  /**
   * Hands the menus to the match at the order's start. Started with `offersBesideValidation`, the offer is only
   * scheduled: the validation round is scheduled in the same task, and `handlersFinished` waits for the offer before
   * the order closes or continues as new. Orders started before it wait for the offer first, as they ran.
   */
  async handOverMenus(): Promise<void> {
    if (!this.offersBesideValidation) return this.offerMenusToMatch();
    const offering = this.offerMenusToMatch();
    // Handled here so that a cancelled offer is not an unhandled rejection before `handlersFinished` awaits it.
    offering.catch(() => undefined);
    this.offering = offering;
  }

  /**
   * Makes sure `catering-match-<orderId>` knows this order's menus and their caterers, however and whenever it was
   * started: the activity signals-with-start the match, so a running match gets the offer and a match not yet there
   * starts with it. A finished match is left alone (a decided match is never restarted).
   */
  private async offerMenusToMatch(): Promise<void> {
    const { orderId } = this.order;
    const menus = this.order.menus?.length ? this.order.menus : undefined;
    const request: MatchOfferRequest = { offer: menus ? { orderId, menus } : { orderId } };
    if (this.settings.confirmWithin !== undefined) request.confirmWithin = this.settings.confirmWithin;
    const how = await (this.offersLocally ? localMatchOffer : matchOffer).offerMenusToMatch(request);
    this.state.matchOffer = { at: now(), how };
  }

  /** One validation round, and what the order makes of its outcome. */
  async validate(): Promise<void> {
    const outcome = await this.validationRound();
    // As in the reference, only an order still waiting for its card reacts to a validation result.
    if (this.state.status !== 'Pending' && this.state.status !== 'ValidationStalled') return;
    if (outcome.kind === 'cancelled') return;
    if (outcome.kind === 'stalled' || outcome.kind === 'unusablePolicy') {
      if (this.resumeDuringRound) {
        this.resumeDuringRound = false;
        // Asked for while this round ran and not answered by it: honour it now rather than a whole
        // reactivateAfter later. Orders that ran before this change dropped it; they replay as they ran.
        if (this.patches.has(orderPatches.resumeDeferredDuringRound)) this.resumeRequested = true;
      }
      if (outcome.kind === 'stalled') await this.onStalled(outcome.failure);
      else await this.onStalled(outcome.problem, true);
    } else this.onAnswered(outcome);
  }

  /** Waits out `reactivateAfter` (or a ResumeValidation); true when the next round is due. */
  async waitForReactivation(): Promise<boolean> {
    const due = Date.parse(this.state.validation.nextReactivationAt ?? '') - Date.now();
    if (!this.resumeRequested && due > 0) {
      await condition(
        () => this.resumeRequested || this.state.status !== 'ValidationStalled' || this.mustContinueAsNew(),
        due,
      );
      return false;
    }
    const episode = openEpisode(this.state);
    if (episode) episode.reactivations += 1;
    log.info('re-activating validation', {
      orderId: this.state.orderId,
      byResume: this.resumeRequested,
      episode: episode?.episode,
    });
    this.resumeRequested = false;
    return true;
  }

  /** A validated order waits for ConfirmOrder until its deadline, if it has one, and expires after it. */
  async awaitConfirmation(): Promise<void> {
    const woken = () =>
      this.state.pendingConfirmation !== undefined ||
      this.state.status !== 'Validated' ||
      this.mustContinueAsNew();
    if (this.state.confirmBy === undefined) return condition(woken);
    const left = Date.parse(this.state.confirmBy) - Date.now();
    if (!(left > 0) || !(await condition(woken, left))) await this.expire();
  }

  /** Applies the ConfirmOrder kept while validating, and announces the confirmed order. */
  async confirm(): Promise<void> {
    const pending = this.state.pendingConfirmation;
    if (!pending) return;
    this.state.pendingConfirmation = undefined;
    const confirmation: NonNullable<OrderState['confirmation']> = {
      menuId: pending.menuId,
      confirmedAt: now(),
      published: false,
    };
    if (pending.eventId !== undefined) confirmation.eventId = pending.eventId;
    this.state.confirmation = confirmation;
    this.moveTo('Confirmed', `menu ${pending.menuId}`);
    await publishOrderConfirmed({
      orderId: this.state.orderId,
      menuId: pending.menuId,
      customerId: this.state.customerId,
      amount: this.state.amount,
      currency: this.state.currency,
    });
    confirmation.published = true;
  }

  private async validationRound(): Promise<RoundOutcome> {
    const { order } = this;
    this.state.validation.rounds += 1;
    workflowMetrics.validationRound();
    setCurrentDetails(statusLine(this.state));
    const scope = new CancellationScope();
    this.validationInFlight = scope;
    try {
      const result = await scope.run(() =>
        this.validateCreditCard({
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
        const problem = findPolicyProblem(this.settings.validationPolicy) ?? describeFailure(err);
        return { kind: 'unusablePolicy', problem: `validationPolicy is unusable: ${problem}` };
      }
      if (err.cause instanceof ApplicationFailure && err.cause.type === ErrorType.InvalidCardData) {
        return { kind: 'invalidCard', reason: err.cause.message };
      }
      return { kind: 'stalled', failure: describeFailure(err) };
    } finally {
      this.validationInFlight = undefined;
    }
  }

  private async onStalled(failure: string, unusablePolicy = false): Promise<void> {
    const { state } = this;
    state.validation.lastFailure = failure;
    if (unusablePolicy) state.validation.unusablePolicy = failure;
    state.validation.nextReactivationAt = new Date(Date.now() + this.reactivateAfterMs).toISOString();
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
    this.moveTo('ValidationStalled', failure);
    await raiseAlert({
      alertId,
      kind: 'ValidationStalled',
      orderId: state.orderId,
      message: unusablePolicy
        ? `credit card validation for order ${state.orderId} cannot be requested: ${failure}; this is not a validator outage, and every re-activation will fail the same way (cancel the order and submit it again with a usable policy)`
        : `credit card validation for order ${state.orderId} stopped after ${this.settings.validationPolicy.maxAttempts} attempts (${failure}); re-activating at ${state.validation.nextReactivationAt}`,
    });
  }

  private onAnswered(outcome: RoundOutcome & { kind: 'answered' | 'invalidCard' }): void {
    const { state } = this;
    const at = now();
    const episode = openEpisode(state);
    if (episode) episode.endedAt = at;
    delete state.validation.nextReactivationAt;
    delete state.validation.lastFailure;
    state.validation.answeredAt = at;
    this.resumeDuringRound = false;
    if (outcome.kind === 'answered' && outcome.result.outcome === 'CreditCardValidated') {
      state.validation.outcome = 'Validated';
      // Orders validated before the deadline existed wait for ConfirmOrder as long as it takes, as they did.
      if (this.confirmWithinMs !== undefined && this.patches.has(orderPatches.confirmationDeadline))
        state.confirmBy = new Date(Date.now() + this.confirmWithinMs).toISOString();
      this.moveTo('Validated');
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
    this.refusePending(`card rejected: ${reason}`);
    this.moveTo('Rejected', reason);
  }

  private async expire(): Promise<void> {
    this.moveTo('Expired', `no ConfirmOrder by ${this.state.confirmBy}`);
    await raiseAlert({
      alertId: `${this.state.orderId}:order-expired`,
      kind: 'OrderExpired',
      orderId: this.state.orderId,
      message: `order ${this.state.orderId} was validated but no menu was confirmed by ${this.state.confirmBy} (confirmWithin ${String(this.settings.confirmWithin)}); it has expired`,
    });
  }
}
