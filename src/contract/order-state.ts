/**
 * The Order's state as `getState` shows it and the workflow returns it. No card data in here: state is visible to
 * anyone who can query. The rules that change it are workflows/order/order-rules.ts.
 */
import type { Currency, MenuOffer } from './messages';
import type { MatchOfferOutcome } from './catering-match';
import type { OrderSettings, OrderStatus } from './order';

export type OrderCommand = 'ConfirmOrder' | 'CancelOrder' | 'ResumeValidation';

export interface Transition {
  status: OrderStatus;
  at: string;
  note?: string;
}

/** One validator outage as this order saw it: from the first exhausted round until the validator answered. */
export interface StallEpisode {
  episode: number;
  alertId: string;
  stalledAt: string;
  /** Rounds re-activated in this episode, by timer or ResumeValidation. */
  reactivations: number;
  lastFailure: string;
  endedAt?: string;
}

export interface Refusal {
  command: OrderCommand;
  reason: string;
  at: string;
  menuId?: string;
  eventId?: string;
}

export interface ValidationState {
  outcome: 'Pending' | 'Validated' | 'Failed' | 'InvalidCardData';
  reason?: string;
  answeredAt?: string;
  /** Validation rounds started; each round is one activity with its own retries. */
  rounds: number;
  lastFailure?: string;
  /** When a stalled validation is re-activated on its own, unless ResumeValidation comes first. */
  nextReactivationAt?: string;
  /** Why the request cannot even be scheduled: the order's own policy, not the validator, is at fault. */
  unusablePolicy?: string;
}

export interface OrderState {
  orderId: string;
  customerId: string;
  amount: number;
  currency: Currency;
  menus: MenuOffer[];
  status: OrderStatus;
  submittedAt: string;
  validation: ValidationState;
  stallEpisodes: StallEpisode[];
  pendingConfirmation?: { menuId: string; eventId?: string; receivedAt: string };
  confirmation?: { menuId: string; eventId?: string; confirmedAt: string; published: boolean };
  cancellation?: { reason?: string; at: string };
  /** When a validated order stops waiting for ConfirmOrder and expires. */
  confirmBy?: string;
  /** How the order handed its menus to its match, once the match has them. */
  matchOffer?: { at: string; how: MatchOfferOutcome };
  /** The newest refusals only (see `maxRefusalsKept`); `refusalsTotal` counts them all. */
  refusals: Refusal[];
  refusalsTotal: number;
  transitions: Transition[];
  /** 1 for the first run; continue-as-new adds one. */
  run: number;
}

/** What continue-as-new hands to the next run besides the (normalised) input. */
export interface OrderCarriedState {
  state: OrderState;
  resumeRequested: boolean;
  settings: OrderSettings;
}
