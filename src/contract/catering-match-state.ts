/** CateringMatch's state as `getState` shows it and the workflow returns it. The rules are in workflows/catering-match/. */
import type { CateringMatchStatus } from './catering-match';
import type { MenuEvent, MenuEventKind } from './catering-match-checks';

/** The caterer's current word on a menu. */
export type CatererAnswer = 'none' | 'confirmed' | 'declined';

export interface MenuMatchState {
  menuId: string;
  /** Who must confirm this menu; when menus are learnt from events, the first caterer to answer for it. */
  catererId?: string;
  customerConfirmed: boolean;
  customerConfirmedAt?: string;
  caterer: CatererAnswer;
  catererAnsweredAt?: string;
  declineReason?: string;
}

export type IgnoreReason =
  | 'duplicate event'
  | 'other order'
  | 'menu not on offer'
  | 'too many menus'
  | 'caterer mismatch'
  | 'too many events before the offer'
  | 'same offer again'
  | 'match finished';

/** An event that changed nothing: ignored for a business reason, or rejected because it was malformed. */
export interface SetAsideEvent {
  kind: MenuEventKind | 'MenusOffered';
  reason: string;
  at: string;
  eventId?: string;
  orderId?: string;
  menuId?: string;
  catererId?: string;
}

/** What `getState` answers and the workflow returns. Timestamps are ISO-8601 strings. */
export interface CateringMatchState {
  orderId: string;
  status: CateringMatchStatus;
  /** true when the menus on offer were given at start or by the order; false when they are learnt from events. */
  menusOffered: boolean;
  /**
   * true while a match started by an event waits for its order to say which menus it offers: events are held, not
   * decided on, and re-checked against the offer when it comes. Absent once the offer came, or when the
   * menus were given at start or are learnt from events.
   */
  awaitingOffer?: boolean;
  /** The events held while awaiting the offer, in arrival order (at most `matchLimits.heldEvents`). */
  heldEvents?: HeldEvent[];
  menus: MenuMatchState[];
  /** The menu both sides agreed on, the one named in ConfirmOrder. */
  chosenMenuId?: string;
  /** When ConfirmOrder was handed to the order workflow, and the eventId it carried. */
  confirmOrder?: { eventId: string; sentAt: string };
  startedAt: string;
  deadline: string;
  updatedAt: string;
  finishedAt?: string;
  /** Why the match ended without a ConfirmOrder being delivered, for people. */
  outcomeReason?: string;
  /**
   * Ids of the most recently applied events (at most `matchLimits.processedEventIdsKept`): the memory that makes
   * redelivery harmless. A redelivery older than that window is applied again.
   */
  processedEventIds: string[];
  processedEventCount: number;
  ignoredEventCount: number;
  ignoredByReason: Partial<Record<IgnoreReason, number>>;
  /** The most recent ignored events (at most `setAsideListLimit`); the count covers all of them. */
  ignoredEvents: SetAsideEvent[];
  rejectedEventCount: number;
  rejectedEvents: SetAsideEvent[];
}

/** An event accepted before the order's offer arrived, kept whole so it can be decided on against the offer. */
export interface HeldEvent {
  kind: MenuEventKind;
  event: MenuEvent;
  at: string;
}
