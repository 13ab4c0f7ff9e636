/** What passes between an Order and its CateringMatch, and the match's statuses. */
import type { Duration } from '@temporalio/common';
import type { MenusOffered } from './messages';

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
