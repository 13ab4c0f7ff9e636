import { ApplicationFailure, log, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { ErrorType } from '../../src/contract/errors';
import {
  cancelOrderSignal,
  cancelOrderUpdate,
  confirmOrderSignal,
  confirmOrderUpdate,
  getOrderStateQuery,
  resumeValidationSignal,
  resumeValidationUpdate,
  submitOrderUpdate,
} from '../../src/contract/order-definitions';
import type {
  CancelOrder,
  CommandAnswer,
  ConfirmOrder,
  OrderCommand,
  OrderStored,
  ResumeValidation,
} from '../../src/contract';
import * as messages from '../../src/contract/messages';
import { problemsIn } from '../../src/contract/messages';
import { checkOrderSubmitted, isSameCheckedOrder, sameJson } from '../../src/contract/order-input';
import { decideCancel, decideConfirm, decideResume, statusLine } from './order-rules';
import type { Decision } from './order-rules';
import { moveTo, now, refuse, refusePending } from './order-progress';
import type { CommandRef, OrderProgress } from './order-progress';
import { invalidOrder } from './order-validation';

/**
 * Every command is an update (the caller waits for the answer; its validator rejects a malformed one before anything
 * is written) and a signal of the same name (already in history when the order sees it, so a malformed one is
 * refused and recorded). Both go through the same rules.
 */
export function registerOrderHandlers(run: OrderProgress): void {
  setHandler(getOrderStateQuery, () => run.state);
  const commands = {
    ConfirmOrder: (command: ConfirmOrder) => confirmOrder(run, command),
    ResumeValidation: (command: ResumeValidation) => resumeValidation(run, command),
    CancelOrder: (command: CancelOrder) => cancelOrder(run, command),
  };
  setHandler(confirmOrderSignal, (command) => {
    if (!refusedAsMalformed(run, 'ConfirmOrder', command)) commands.ConfirmOrder(command);
  });
  setHandler(resumeValidationSignal, (command) => {
    if (!refusedAsMalformed(run, 'ResumeValidation', command)) commands.ResumeValidation(command);
  });
  setHandler(cancelOrderSignal, (command) => {
    if (!refusedAsMalformed(run, 'CancelOrder', command)) commands.CancelOrder(command);
  });
  setHandler(confirmOrderUpdate, commands.ConfirmOrder, {
    validator: (command) => rejectMalformed(run, 'ConfirmOrder', command),
  });
  setHandler(resumeValidationUpdate, commands.ResumeValidation, {
    validator: (command) => rejectMalformed(run, 'ResumeValidation', command),
  });
  setHandler(cancelOrderUpdate, commands.CancelOrder, {
    validator: (command) => rejectMalformed(run, 'CancelOrder', command),
  });
  setHandler(submitOrderUpdate, () => stored(run), {
    validator: (submission) => rejectConflict(run, submission),
  });
}

/**
 * Before validation a ConfirmOrder is kept and applied once the card is validated; a Validated order confirms in
 * the same workflow task (the answer's status is still Validated, `getState` says Confirmed right after).
 */
function confirmOrder(run: OrderProgress, command: ConfirmOrder): CommandAnswer {
  const { state } = run;
  const ref =
    command.eventId === undefined
      ? { menuId: command.menuId }
      : { menuId: command.menuId, eventId: command.eventId };
  // The deadline is the order's clock, not its timer: the timer fires a little after confirmBy, and a command
  // handled in the same task comes before it.
  const decision: Decision = pastConfirmBy(run)
    ? { kind: 'refuse', reason: `order expired: no ConfirmOrder by ${state.confirmBy}` }
    : decideConfirm(state, command);
  if (applies(run, 'ConfirmOrder', decision, ref)) {
    state.pendingConfirmation = { ...ref, receivedAt: now() };
    setCurrentDetails(statusLine(state));
  }
  return answerOf(run, decision);
}

function pastConfirmBy({ state }: OrderProgress): boolean {
  return (
    state.status === 'Validated' && state.confirmBy !== undefined && Date.now() >= Date.parse(state.confirmBy)
  );
}

function resumeValidation(run: OrderProgress, _command: ResumeValidation): CommandAnswer {
  const decision = decideResume(run.state);
  if (!applies(run, 'ResumeValidation', decision)) return answerOf(run, decision);
  // A second round alongside the one already asking would be redundant; wait for what that one says.
  if (run.validationInFlight) {
    log.info('ResumeValidation deferred', { orderId: run.state.orderId, why: 'validation in progress' });
    run.resumeDuringRound = true;
  } else run.resumeRequested = true;
  return answerOf(run, decision);
}

function cancelOrder(run: OrderProgress, command: CancelOrder): CommandAnswer {
  const { state } = run;
  const decision = decideCancel(state, command);
  if (!applies(run, 'CancelOrder', decision)) return answerOf(run, decision);
  const at = now();
  state.cancellation = command.reason === undefined ? { at } : { reason: command.reason, at };
  refusePending(state, 'order was cancelled before it could be confirmed');
  delete state.validation.nextReactivationAt;
  moveTo(state, 'Cancelled', command.reason);
  run.validationInFlight?.cancel();
  return answerOf(run, decision);
}

/** Records a refusal or a no-op the pure rules decided; true when the command is to be applied. */
function applies(
  run: OrderProgress,
  command: OrderCommand,
  decision: Decision,
  ref: CommandRef = {},
): boolean {
  if (decision.kind === 'refuse') refuse(run.state, command, decision.reason, ref);
  if (decision.kind === 'duplicate')
    log.info('command changes nothing', { orderId: run.state.orderId, command, why: decision.why });
  return decision.kind === 'accept';
}

function answerOf({ state }: OrderProgress, decision: Decision): CommandAnswer {
  const { status } = state;
  if (decision.kind === 'refuse') return { outcome: 'refused', status, reason: decision.reason };
  if (decision.kind === 'duplicate') return { outcome: 'duplicate', status, reason: decision.why };
  return { outcome: 'applied', status };
}

const orderIdOf = (payload: unknown): unknown => (payload as { orderId?: unknown } | null)?.orderId;

/** What is wrong with a command sent by hand, by its schema, or that it names another order; none when nothing. */
function commandProblems(run: OrderProgress, command: OrderCommand, payload: unknown): string[] {
  const problems = problemsIn(messages[command](), payload).map((p) => p.message);
  if (problems.length === 0 && orderIdOf(payload) !== run.state.orderId)
    problems.push(`orderId ${JSON.stringify(orderIdOf(payload))} is another order's`);
  return problems;
}

/** A signal that is malformed or names another order is refused and recorded, never applied. */
function refusedAsMalformed(run: OrderProgress, command: OrderCommand, payload: unknown): boolean {
  const problems = commandProblems(run, command, payload);
  if (problems.length === 0) return false;
  const menuId = (payload as { menuId?: unknown } | null)?.menuId;
  refuse(
    run.state,
    command,
    `malformed ${command}: ${problems.join('; ')}`,
    typeof menuId === 'string' ? { menuId } : {},
  );
  return true;
}

/** The update's validator: a malformed command, or one for another order, is rejected with what is wrong. */
function rejectMalformed(run: OrderProgress, command: OrderCommand, payload: unknown): void {
  const problems = commandProblems(run, command, payload);
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
function rejectConflict(run: OrderProgress, submission: unknown): void {
  // The submission sent with the start is this run's input, already checked: no second parse for it.
  if (sameJson(submission, run.order)) return;
  const checked = checkOrderSubmitted(submission);
  if (!checked.ok) throw invalidOrder(checked.problems);
  if (!isSameCheckedOrder(run.order, checked.order)) {
    throw ApplicationFailure.create({
      type: ErrorType.OrderConflict,
      nonRetryable: true,
      message: `order ${run.state.orderId} already exists with different content; use a new orderId for a new order`,
    });
  }
}

/**
 * OrderStored, from the order itself. `created` only for the submission that came with the start: the first one
 * handled in the first run's first task (the start event and that task's two events); later ones are retries. A
 * submission to a start by hand whose first task has not run yet cannot be told apart and is answered created too.
 */
function stored(run: OrderProgress): OrderStored {
  const info = workflowInfo();
  const created = run.firstRun && info.historyLength <= 3 && !run.answeredASubmission;
  run.answeredASubmission = true;
  return {
    orderId: run.state.orderId,
    workflowId: info.workflowId,
    runId: info.runId,
    status: run.state.status,
    created,
    acknowledged: true,
  };
}
