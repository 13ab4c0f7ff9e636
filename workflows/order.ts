import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CancelOrder, ConfirmOrder, OrderSubmitted, ResumeValidation } from '../src/shared';

// Wire names are the ones users type in the Web UI and the `temporal` CLI (see DESIGN.md).
export const confirmOrderSignal = defineSignal<[ConfirmOrder]>('ConfirmOrder');
export const resumeValidationSignal = defineSignal<[ResumeValidation]>('ResumeValidation');
export const cancelOrderSignal = defineSignal<[CancelOrder]>('CancelOrder');
export const getOrderStateQuery = defineQuery<unknown>('getState');

/** The OrderProcessor of the reference: one workflow per order. (Body: issue 3.) */
export async function Order(_input: OrderSubmitted): Promise<unknown> {
  throw new Error('not implemented yet');
}
