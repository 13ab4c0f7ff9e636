import {
  allHandlersFinished,
  condition,
  log,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CancellationScope } from '@temporalio/workflow';
import { CustomerIdAttribute, OrderStatusAttribute } from '../../src/contract/names';
import type {
  OrderCarriedState,
  OrderCommand,
  OrderSettings,
  OrderState,
  OrderStatus,
  OrderSubmitted,
} from '../../src/contract';
import { workflowMetrics } from '../metrics';
import { isFinalOrderStatus } from '../../src/contract/order';
import { initialOrderState, recordRefusal, statusLine } from './order-rules';

export const now = (): string => new Date().toISOString();

/** Everything one run of an Order knows: its input, the settings it runs by, its state and what is in flight. */
export interface OrderProgress {
  readonly order: OrderSubmitted;
  /** Fixed at the first run and carried: a default changed since then never reaches this order. */
  readonly settings: OrderSettings;
  readonly state: OrderState;
  readonly firstRun: boolean;
  resumeRequested: boolean;
  /** A ResumeValidation that came while a round was already asking: it counts if that round stalls too. */
  resumeDuringRound: boolean;
  validationInFlight?: CancellationScope;
  /** The hand-over to the match while it is out; the order neither closes nor continues as new before it is done. */
  offering?: Promise<void>;
  answeredASubmission: boolean;
}

export function startProgress(
  order: OrderSubmitted,
  settings: OrderSettings,
  carried?: OrderCarriedState,
): OrderProgress {
  return {
    order,
    settings,
    state: carried?.state ?? initialOrderState(order, now()),
    firstRun: carried === undefined,
    resumeRequested: carried?.resumeRequested ?? false,
    resumeDuringRound: false,
    answeredASubmission: false,
  };
}

/** What continue-as-new hands to the next run. */
export function carriedOf(run: OrderProgress): OrderCarriedState {
  run.state.run += 1;
  return { state: run.state, resumeRequested: run.resumeRequested, settings: run.settings };
}

export function mustContinueAsNew(run: OrderProgress): boolean {
  const info = workflowInfo();
  const limit = run.settings.maxHistoryEvents;
  return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
}

/** Every handler has returned and the offer is done: the run may complete or continue as new. */
export async function handlersFinished(run: OrderProgress): Promise<void> {
  if (run.offering) await run.offering;
  await condition(allHandlersFinished);
}

/**
 * Search attributes and the Web UI's current details, from the state. An upsert that changes nothing is still a
 * command and a visibility write, so what the start already set (placeOrder sets both) is not upserted again.
 */
export function publish(state: OrderState): void {
  setCurrentDetails(statusLine(state));
  const { status, customerId } = state;
  const visible = workflowInfo().typedSearchAttributes;
  if (visible.get(OrderStatusAttribute) === status && visible.get(CustomerIdAttribute) === customerId) return;
  upsertSearchAttributes([
    { key: OrderStatusAttribute, value: status },
    { key: CustomerIdAttribute, value: customerId },
  ]);
}

export function moveTo(state: OrderState, status: OrderStatus, note?: string): void {
  const from = state.status;
  const at = now();
  state.status = status;
  state.transitions.push(note === undefined ? { status, at } : { status, at, note });
  if (status === 'Validated') workflowMetrics.orderValidated(state.submittedAt, at);
  if (status === 'Confirmed') workflowMetrics.orderConfirmed(state.submittedAt, at);
  if (isFinalOrderStatus(status)) workflowMetrics.orderFinished(status);
  log.info('order status changed', { orderId: state.orderId, from, to: status, note });
  publish(state);
}

export type CommandRef = { menuId?: string; eventId?: string };

export function refuse(state: OrderState, command: OrderCommand, reason: string, ref: CommandRef = {}): void {
  if (recordRefusal(state, { command, reason, at: now(), ...ref }))
    log.info('command refused', { orderId: state.orderId, command, reason, ...ref });
}

/** A ConfirmOrder kept while the card was being validated, refused because the order went another way. */
export function refusePending(state: OrderState, reason: string): void {
  const pending = state.pendingConfirmation;
  if (!pending) return;
  state.pendingConfirmation = undefined;
  refuse(state, 'ConfirmOrder', reason, pending);
}
