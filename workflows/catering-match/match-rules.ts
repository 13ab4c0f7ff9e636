/**
 * CateringMatch's state and the rules shared by its events and its order's offer, as pure functions: no Temporal
 * API, no clock, no I/O, so the property test can feed them thousands of random histories.
 */
import { msToNumber } from '@temporalio/common';
import { cateringMatchWorkflowId } from '../../src/contract/names';
import { defaultOrderConfirmWithin } from '../../src/contract/order';
import type {
  CateringMatchInput,
  CateringMatchState,
  IgnoreReason,
  MenuEventKind,
  SetAsideEvent,
} from '../../src/contract';

/** The eventId of the one ConfirmOrder a match sends, so the order can recognise a redelivery. */
export const confirmOrderEventId = (orderId: string): string => `${cateringMatchWorkflowId(orderId)}:confirm`;

export const setAsideListLimit = 50;

/** What keeps a match's state (carried across continue-as-new, returned by every query) from growing forever. */
export interface MatchLimits {
  processedEventIdsKept: number;
  /** Menus a match that learns its menus from events will take; events naming more are ignored. */
  learntMenus: number;
  /** Events a match awaiting its order's offer holds; later ones are ignored. */
  heldEvents: number;
}

export const matchLimits: MatchLimits = { processedEventIdsKept: 1000, learntMenus: 50, heldEvents: 200 };

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isOpen = (state: CateringMatchState): boolean => state.status === 'AwaitingConfirmations';

/** The deadline `confirmWithin` after `startedAt`; without one, the order's default, so both give up together. */
export function deadlineAfter(startedAt: string | Date, confirmWithin = defaultOrderConfirmWithin): string {
  return new Date(new Date(startedAt).getTime() + msToNumber(confirmWithin)).toISOString();
}

/**
 * The state a match starts from, for an input findInputProblem has passed. A match started without menus (by an
 * event) awaits its order's offer before deciding anything, unless it was told to learn its menus from events.
 */
export function startMatch(input: CateringMatchInput, startedAt: Date): CateringMatchState {
  const at = startedAt.toISOString();
  const state: CateringMatchState = {
    orderId: input.orderId,
    status: 'AwaitingConfirmations',
    menusOffered: input.menus !== undefined,
    menus: (input.menus ?? []).map((m) => ({
      menuId: m.menuId,
      catererId: m.catererId,
      customerConfirmed: false,
      caterer: 'none',
    })),
    startedAt: at,
    deadline: deadlineAfter(startedAt, input.confirmWithin),
    updatedAt: at,
    processedEventIds: [],
    processedEventCount: 0,
    ignoredEventCount: 0,
    ignoredByReason: {},
    ignoredEvents: [],
    rejectedEventCount: 0,
    rejectedEvents: [],
  };
  if (input.menus === undefined && input.learnMenusFromEvents !== true)
    return { ...state, awaitingOffer: true, heldEvents: [] };
  return state;
}

const keepLast = <T>(list: T[], item: T): T[] => [...list, item].slice(-setAsideListLimit);

/** What the state keeps of an event it set aside: its kind, the reason and the ids it named. */
export function describeEvent(
  kind: MenuEventKind,
  event: unknown,
  reason: string,
  at: string,
): SetAsideEvent {
  const entry: SetAsideEvent = { kind, reason, at };
  if (isRecord(event)) {
    for (const field of ['eventId', 'orderId', 'menuId', 'catererId'] as const) {
      const value = event[field];
      if (typeof value === 'string') entry[field] = value;
    }
  }
  return entry;
}

/** Counts an event (or offer) that changed nothing, by reason, and keeps its description among the last few. */
export function recordIgnored(
  state: CateringMatchState,
  reason: IgnoreReason,
  entry: SetAsideEvent,
  at: string,
): CateringMatchState {
  return {
    ...state,
    updatedAt: at,
    ignoredEventCount: state.ignoredEventCount + 1,
    ignoredByReason: { ...state.ignoredByReason, [reason]: (state.ignoredByReason[reason] ?? 0) + 1 },
    ignoredEvents: keepLast(state.ignoredEvents, entry),
  };
}

/** Counts a malformed event (or offer) and keeps its description among the last few; it never fails the workflow. */
export function recordRejected(
  state: CateringMatchState,
  entry: SetAsideEvent,
  at: string,
): CateringMatchState {
  return {
    ...state,
    updatedAt: at,
    rejectedEventCount: state.rejectedEventCount + 1,
    rejectedEvents: keepLast(state.rejectedEvents, entry),
  };
}

/** An open match whose order offered menus, every one of them now declined by its caterer, has nothing left. */
export function endIfEveryMenuDeclined(state: CateringMatchState, at: string): CateringMatchState {
  if (!isOpen(state) || !state.menusOffered || !state.menus.every((m) => m.caterer === 'declined'))
    return state;
  return {
    ...state,
    status: 'NoMenuAgreed',
    finishedAt: at,
    outcomeReason: 'every caterer declined the menu offered to them',
  };
}

/** The deadline passed with the match still open. */
export function expireMatch(state: CateringMatchState, now: Date): CateringMatchState {
  if (!isOpen(state)) return state;
  const at = now.toISOString();
  return {
    ...state,
    status: 'Expired',
    updatedAt: at,
    finishedAt: at,
    outcomeReason: `no menu was confirmed by both sides before ${state.deadline}`,
  };
}

/** The match's clock, not its timer, decides: the timer fires a little after the deadline. */
export const isPastDeadline = (state: CateringMatchState, now: Date): boolean =>
  isOpen(state) && now.getTime() >= Date.parse(state.deadline);

export function recordConfirmOrderSent(
  state: CateringMatchState,
  eventId: string,
  now: Date,
): CateringMatchState {
  const at = now.toISOString();
  return { ...state, updatedAt: at, confirmOrder: { eventId, sentAt: at } };
}

/** ConfirmOrder could not be delivered: there is no open order workflow to receive it. */
export function recordOrderNotFound(state: CateringMatchState, why: string, now: Date): CateringMatchState {
  const at = now.toISOString();
  return { ...state, status: 'OrderNotFound', updatedAt: at, finishedAt: at, outcomeReason: why };
}

/** One readable line for the Web UI's "current details". */
export function describeMatch(state: CateringMatchState): string {
  const menus =
    state.menus.length === 0
      ? 'no menu named yet'
      : state.menus
          .map((m) => {
            const customer = m.customerConfirmed ? 'customer confirmed' : 'customer pending';
            const caterer = m.caterer === 'none' ? 'caterer pending' : `caterer ${m.caterer}`;
            return `${m.menuId} (${customer}, ${caterer})`;
          })
          .join('; ');
  switch (state.status) {
    case 'AwaitingConfirmations':
      if (state.awaitingOffer)
        return `Awaiting the order's menus until ${state.deadline}: ${state.heldEvents?.length ?? 0} events held`;
      return `Awaiting confirmations until ${state.deadline}: ${menus}`;
    case 'Matched':
      return `Matched on menu ${state.chosenMenuId ?? '?'}: ConfirmOrder ${state.confirmOrder ? 'sent' : 'sending'}`;
    default:
      return `${state.status}: ${state.outcomeReason ?? ''} — ${menus}`;
  }
}
