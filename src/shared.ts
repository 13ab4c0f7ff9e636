/**
 * The contract between clients, workers and the validator: names users type, payload shapes and error types.
 * Imported by workflow code, so it must stay free of Node builtins and I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import type { CreditCard, Currency, MenusOffered, ValidationPolicy } from './messages';

// The messages themselves (inputs and signals) are described once, by their schemas in messages.ts.
export { supportedCurrencies } from './messages';
export type {
  CancelOrder,
  CatererConfirmedMenu,
  CatererDeclinedMenu,
  CateringMatchInput,
  ConfirmOrder,
  CreditCard,
  Currency,
  CustomerConfirmedMenu,
  MenuOffer,
  MenusOffered,
  OrderSubmitted,
  ResumeValidation,
  ValidationPolicy,
} from './messages';

export const TaskQueue = {
  orders: 'orders',
  creditCardValidation: 'credit-card-validation',
} as const;

export const WorkflowType = {
  order: 'Order',
  cateringMatch: 'CateringMatch',
} as const;

export const orderWorkflowId = (orderId: string): string => `order-${orderId}`;
export const cateringMatchWorkflowId = (orderId: string): string => `catering-match-${orderId}`;

export const OrderStatusAttribute = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const CustomerIdAttribute = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
/** CateringMatch's own status; kept apart from OrderStatus so a filter on one never mixes in the other. */
export const MatchStatusAttribute = defineSearchAttributeKey('MatchStatus', SearchAttributeType.KEYWORD);
export const searchAttributeKeys = [OrderStatusAttribute, CustomerIdAttribute, MatchStatusAttribute];

/** `ApplicationFailure.type` values; workflows and clients branch on these, never on messages. */
export enum ErrorType {
  InvalidOrder = 'InvalidOrder',
  InvalidCardData = 'InvalidCardData',
  ValidatorUnavailable = 'ValidatorUnavailable',
  InvalidMatch = 'InvalidMatch',
}

// ---------------------------------------------------------------------------------------------------------------
// Order

export const defaultValidationPolicy: ValidationPolicy = {
  replyTimeout: '10 seconds',
  maxAttempts: 5,
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  deliveryWindow: '2 minutes',
  reactivateAfter: '1 hour',
};

export const defaultRetainFor: Duration = '1 day';

/** How long a validated order waits for ConfirmOrder before it expires; the same as a match's deadline. */
export const defaultOrderConfirmWithin: Duration = '7 days';

/**
 * The rules an Order runs by, its own choices over the defaults, fixed at its start and carried from run to run: a
 * changed default reaches new orders only.
 */
export interface OrderSettings {
  validationPolicy: ValidationPolicy;
  retainFor: Duration;
  /** Absent in settings fixed by code from before the confirmation deadline: such an order has none. */
  confirmWithin?: Duration;
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

// ---------------------------------------------------------------------------------------------------------------
// CreditCardValidator

export interface CreditCardValidationRequested {
  /** Same for every redelivery of one request, so the validator can answer a redelivery as it did before. */
  idempotencyKey: string;
  orderId: string;
  customerId: string;
  amount: number;
  currency: Currency;
  card: CreditCard;
}

export type CreditCardValidationResult =
  | { outcome: 'CreditCardValidated'; orderId: string; validatedAt: string }
  | { outcome: 'CreditCardValidationFailed'; orderId: string; reason: string; validatedAt: string };

// ---------------------------------------------------------------------------------------------------------------
// CateringMatch

/** What an Order asks of its match's side: hand over its offer, starting the match if no event has yet. */
export interface MatchOfferRequest {
  offer: MenusOffered;
  /** The order's own confirmation deadline, so a match it starts gives up when the order does. */
  confirmWithin?: Duration;
}

/** `match already finished`: the match decided before the order got there; a decided match is never restarted. */
export type MatchOfferOutcome = 'offered' | 'match already finished';

export type CateringMatchStatus =
  'AwaitingConfirmations' | 'Matched' | 'Expired' | 'NoMenuAgreed' | 'OrderNotFound';

// ---------------------------------------------------------------------------------------------------------------
// Operations

export type AlertKind =
  'ValidationStalled' | 'OrderExpired' | 'MatchExpired' | 'NoMenuAgreed' | 'OrderNotFound';

/** What the operations team is told; `alertId` makes raising it idempotent. */
export interface OperationsAlert {
  alertId: string;
  kind: AlertKind;
  orderId: string;
  message: string;
}

/** The side effect that tells the outside world an order is confirmed. */
export interface OrderConfirmedNotice {
  orderId: string;
  menuId: string;
  customerId: string;
  amount: number;
  currency: Currency;
}
