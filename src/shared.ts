/**
 * The contract between clients, workers and the validator: names users type, payload shapes and error types.
 * Imported by workflow code, so it must stay free of Node builtins and I/O.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Duration } from '@temporalio/common';

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

export const supportedCurrencies = ['EUR', 'USD', 'GBP', 'CHF', 'PLN'] as const;
export type Currency = (typeof supportedCurrencies)[number];

export interface CreditCard {
  /** Primary account number, digits only (spaces and dashes are tolerated on input). */
  number: string;
  /** `MM/YY`, as printed on the card. */
  expiry: string;
  holder: string;
}

/** A menu the operations manager offers for an order, and the caterer who must confirm it. */
export interface MenuOffer {
  menuId: string;
  catererId: string;
}

/**
 * The redelivery policy of the reference's reliable request-reply channel, as a Temporal retry policy:
 * `replyTimeout` is DestinationNotResponding (start-to-close), a thrown error is DestinationFailure,
 * `maxAttempts` / `deliveryWindow` bound the redeliveries, and `reactivateAfter` re-opens delivery after
 * DeliveryStopped.
 */
export interface ValidationPolicy {
  replyTimeout: Duration;
  maxAttempts: number;
  initialInterval: Duration;
  backoffCoefficient: number;
  maximumInterval: Duration;
  /** Schedule-to-close: bounds a round even when no validator polls the task queue at all. */
  deliveryWindow: Duration;
  /** Durable delay after which a stalled validation is re-activated on its own. */
  reactivateAfter: Duration;
}

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

/** The command that submits an order; its `orderId` is the idempotency key. */
export interface OrderSubmitted {
  orderId: string;
  customerId: string;
  /** In the currency's major unit, at most two decimals. */
  amount: number;
  currency: Currency;
  card: CreditCard;
  menus?: MenuOffer[];
  validationPolicy?: Partial<ValidationPolicy>;
  /** How long a finished order stays open to answer late commands before it completes. */
  retainFor?: Duration;
  /** How long a validated order waits for ConfirmOrder before it ends `Expired`. Default 7 days. */
  confirmWithin?: Duration;
  /**
   * Continue-as-new once a run's history reaches this many events (the server's own suggestion applies too), so
   * a long validator outage never grows one history without bound.
   */
  maxHistoryEvents?: number;
}

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

export interface ConfirmOrder {
  orderId: string;
  menuId: string;
  /** Identifies the command so duplicates can be recognised. */
  eventId?: string;
}

export interface ResumeValidation {
  orderId: string;
}

export interface CancelOrder {
  orderId: string;
  reason?: string;
}

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

interface MenuEvent {
  orderId: string;
  menuId: string;
  /** Unique per published event; a repeated eventId is a duplicate and changes nothing. */
  eventId: string;
}

export type CustomerConfirmedMenu = MenuEvent;

export interface CatererConfirmedMenu extends MenuEvent {
  catererId: string;
}

export interface CatererDeclinedMenu extends MenuEvent {
  catererId: string;
  reason?: string;
}

export interface CateringMatchInput {
  orderId: string;
  /** Menus on offer; when absent, menus become known from the events that name them. */
  menus?: MenuOffer[];
  /** How long confirmations are awaited before the match expires. Default 7 days. */
  confirmWithin?: Duration;
  /**
   * Continue-as-new once a run's history reaches this many events (the server's own suggestion applies too), so a
   * chatty publisher never grows one history without bound.
   */
  maxHistoryEvents?: number;
  /**
   * Set by an Order that names no menus when it starts its match: no offer will come, the menus are learnt from the
   * events. Without it (and without `menus`), a match waits for its order's offer before it decides anything.
   */
  learnMenusFromEvents?: boolean;
}

/**
 * What the Order tells its match: the menus it offers and whose caterer must confirm each. The order is the source of
 * truth for them; `menus` absent means the order names none and the match learns them from the events.
 */
export interface MenusOffered {
  orderId: string;
  menus?: MenuOffer[];
}

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
