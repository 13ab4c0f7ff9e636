/**
 * The Order's updates, signals and query by the names users type (`temporal workflow update execute --name
 * CancelOrder`). Defined here, not in the workflow module, so that a client sends them without loading workflow code.
 *
 * Each command is both an update (the caller waits for the order's answer: applied, duplicate or refused) and a
 * signal of the same name (for the match, since a workflow cannot send an update, and for senders that do not wait).
 * Both go through the same rules.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CancelOrder, ConfirmOrder, OrderSubmitted, ResumeValidation } from './messages';
import type { CommandAnswer, OrderStored } from './order';
import type { OrderState } from './order-state';

/** The submission, sent with start (update-with-start): the order answers OrderStored, or refuses a conflict. */
export const submitOrderUpdate = defineUpdate<OrderStored, [OrderSubmitted]>('SubmitOrder');
export const confirmOrderUpdate = defineUpdate<CommandAnswer, [ConfirmOrder]>('ConfirmOrder');
export const resumeValidationUpdate = defineUpdate<CommandAnswer, [ResumeValidation]>('ResumeValidation');
export const cancelOrderUpdate = defineUpdate<CommandAnswer, [CancelOrder]>('CancelOrder');

export const confirmOrderSignal = defineSignal<[ConfirmOrder]>('ConfirmOrder');
export const resumeValidationSignal = defineSignal<[ResumeValidation]>('ResumeValidation');
export const cancelOrderSignal = defineSignal<[CancelOrder]>('CancelOrder');
export const getOrderStateQuery = defineQuery<OrderState>('getState');
