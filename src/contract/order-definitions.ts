/**
 * The Order's signals and query by the names users type (`temporal workflow signal --name ConfirmOrder`). Defined
 * here, not in the workflow module, so that a client sends them without loading workflow code.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CancelOrder, ConfirmOrder, ResumeValidation } from './messages';
import type { OrderState } from './order-state';

export const confirmOrderSignal = defineSignal<[ConfirmOrder]>('ConfirmOrder');
export const resumeValidationSignal = defineSignal<[ResumeValidation]>('ResumeValidation');
export const cancelOrderSignal = defineSignal<[CancelOrder]>('CancelOrder');
export const getOrderStateQuery = defineQuery<OrderState>('getState');
