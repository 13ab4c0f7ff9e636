/** An Order's defaults, the settings it runs by, its statuses and its acknowledgement. */
import type { Duration } from '@temporalio/common';
import type { ValidationPolicy } from './messages';

export const defaultValidationPolicy: ValidationPolicy = {
  replyTimeout: '10 seconds',
  maxAttempts: 5,
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  deliveryWindow: '2 minutes',
  reactivateAfter: '1 hour',
};

/** How long a validated order waits for ConfirmOrder before it expires; the same as a match's deadline. */
export const defaultOrderConfirmWithin: Duration = '7 days';

/**
 * The rules an Order runs by, its own choices over the defaults, fixed at its start and carried from run to run: a
 * changed default reaches new orders only.
 */
export interface OrderSettings {
  validationPolicy: ValidationPolicy;
  confirmWithin: Duration;
  maxHistoryEvents?: number;
}

/** The business-level acknowledgement: the order is durably recorded. */
export interface OrderStored {
  orderId: string;
  workflowId: string;
  runId: string;
  status: OrderStatus;
  /** false when this submission was a duplicate of an order already stored. */
  created: boolean;
  /**
   * Whether the order itself answered (its SubmitOrder update). false: the start is durable and the order runs once
   * an order worker takes it, but no worker answered within the client's wait.
   */
  acknowledged: boolean;
}

/**
 * The order's answer to a command sent as an update: `applied`, `duplicate` (it changes nothing: the order already
 * is so) or `refused` with the reason. `status` is the order's status after the command. `signalled` is the client's,
 * never the order's: the order did not take the update, so the command went as a signal, whose answer the order
 * records in its state.
 */
export interface CommandAnswer {
  outcome: 'applied' | 'duplicate' | 'refused' | 'signalled';
  status: OrderStatus;
  reason?: string;
}

export const orderStatuses = [
  'Pending',
  'ValidationStalled',
  'Validated',
  'Confirmed',
  'Rejected',
  'Cancelled',
  'Expired',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** The statuses an order closes at: it takes no more commands, and its customer and caterers no more answers. */
export const finalOrderStatuses: readonly OrderStatus[] = ['Confirmed', 'Rejected', 'Cancelled', 'Expired'];
export const isFinalOrderStatus = (status: OrderStatus): boolean => finalOrderStatuses.includes(status);
