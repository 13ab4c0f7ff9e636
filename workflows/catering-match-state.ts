/**
 * CateringMatch's state and rules as pure functions: no Temporal API, no clock, no I/O. The workflow feeds them
 * signals and timer results; the property test feeds them thousands of random histories.
 */
import { msToNumber } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import { cateringMatchWorkflowId, findEventProblem, findOfferProblem } from '../src/contract';
import type {
  CatererConfirmedMenu,
  CatererDeclinedMenu,
  CateringMatchInput,
  CateringMatchState,
  IgnoreReason,
  MenuEvent,
  MenuEventKind,
  MenuMatchState,
  MenuOffer,
  MenusOffered,
  SetAsideEvent,
} from '../src/contract';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The eventId of the one ConfirmOrder a match sends, so the order can recognise a redelivery. */
export const confirmOrderEventId = (orderId: string): string => `${cateringMatchWorkflowId(orderId)}:confirm`;

export const defaultConfirmWithin: Duration = '7 days';

export const setAsideListLimit = 50;

/** What keeps a match's state (carried across continue-as-new, returned by every query) from growing forever. */
export interface MatchLimits {
  processedEventIdsKept: number;
  /** Menus a match that learns its menus from events will take; events naming more are ignored. */
  learntMenus: number;
  /** Events a match awaiting its order's offer holds; later ones are ignored. */
  heldEvents: number;
  /**
   * Whether a message too long for its bounds (`maxLengths` in src/contract/messages.ts), and otherwise well-formed, is
   * refused; asked only of such a message. Absent: it is.
   */
  lengthBounded?: () => boolean;
}

export const matchLimits: MatchLimits = { processedEventIdsKept: 1000, learntMenus: 50, heldEvents: 200 };

/** How matches started before the limits ran, so that they replay as they ran. */
export const unboundedMatchLimits: MatchLimits = {
  processedEventIdsKept: Number.POSITIVE_INFINITY,
  learntMenus: Number.POSITIVE_INFINITY,
  heldEvents: Number.POSITIVE_INFINITY,
};

export function initialMatchState(
  input: { orderId: string; menus?: MenuOffer[] },
  startedAt: Date,
  confirmWithinMs: number,
): CateringMatchState {
  const at = startedAt.toISOString();
  return {
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
    deadline: new Date(startedAt.getTime() + confirmWithinMs).toISOString(),
    updatedAt: at,
    processedEventIds: [],
    processedEventCount: 0,
    ignoredEventCount: 0,
    ignoredByReason: {},
    ignoredEvents: [],
    rejectedEventCount: 0,
    rejectedEvents: [],
  };
}

/**
 * Builds the state the workflow starts from, from an input findInputProblem has passed (the SDK's duration parser
 * throws on a `confirmWithin` it cannot read).
 * `awaitOffer`: a match started without menus (by an event) waits for its order's offer before deciding anything;
 * false for matches that ran before the order was the source of its menus, which learn menus from events.
 */
export function startMatch(
  input: CateringMatchInput,
  startedAt: Date,
  options: { awaitOffer?: boolean } = {},
): CateringMatchState {
  const confirmWithinMs = msToNumber(input.confirmWithin ?? defaultConfirmWithin);
  const state = initialMatchState(input, startedAt, confirmWithinMs);
  if (options.awaitOffer && input.menus === undefined && input.learnMenusFromEvents !== true) {
    return { ...state, awaitingOffer: true, heldEvents: [] };
  }
  return state;
}

export const isOpen = (state: CateringMatchState): boolean => state.status === 'AwaitingConfirmations';

const keepLast = <T>(list: T[], item: T): T[] => [...list, item].slice(-setAsideListLimit);

function describeEvent(kind: MenuEventKind, event: unknown, reason: string, at: string): SetAsideEvent {
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
function recordIgnored(
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
function recordRejected(state: CateringMatchState, entry: SetAsideEvent, at: string): CateringMatchState {
  return {
    ...state,
    updatedAt: at,
    rejectedEventCount: state.rejectedEventCount + 1,
    rejectedEvents: keepLast(state.rejectedEvents, entry),
  };
}

/** An open match whose order offered menus, every one of them now declined by its caterer, has nothing left. */
function endIfEveryMenuDeclined(state: CateringMatchState, at: string): CateringMatchState {
  if (!isOpen(state) || !state.menusOffered || !state.menus.every((m) => m.caterer === 'declined'))
    return state;
  return {
    ...state,
    status: 'NoMenuAgreed',
    finishedAt: at,
    outcomeReason: 'every caterer declined the menu offered to them',
  };
}

function ignore(
  state: CateringMatchState,
  kind: MenuEventKind,
  event: MenuEvent,
  reason: IgnoreReason,
  at: string,
): CateringMatchState {
  return recordIgnored(state, reason, describeEvent(kind, event, reason, at), at);
}

const isAgreed = (menu: MenuMatchState): boolean => menu.customerConfirmed && menu.caterer === 'confirmed';

/**
 * Applies one menu event to the match and decides whether it is now matched or has no menu left.
 *
 * Rules, in the order they are checked:
 * - A malformed payload (not an object, or `orderId`/`menuId`/`eventId`, or a caterer's `catererId`, missing)
 *   is rejected and recorded; it never fails the workflow.
 * - An `eventId` already applied is a duplicate and changes nothing.
 * - Once the match has finished, every event is ignored: the decision is final.
 * - An event for another order is ignored.
 * - When menus were offered at start, an event for a menu not on offer is ignored. When they were not, the first
 *   event naming a menu puts it on the table, up to `limits.learntMenus` menus; events naming more are ignored.
 * - A caterer event from a caterer other than the menu's caterer is ignored. When menus are learnt from events,
 *   the first caterer to answer for a menu becomes its caterer.
 * - Caterer confirm-after-decline and decline-after-confirm: the caterer's latest word wins while the match is
 *   open. A decline withdraws an earlier confirmation; a confirmation after a decline reinstates the menu. A
 *   customer's confirmation is never withdrawn.
 * - The first menu to hold both the customer's confirmation and the caterer's current confirmation is chosen
 *   (status `Matched`): at most one menu can become agreed per event, so "first" is well defined.
 * - When menus were offered at start and every one of them is currently declined by its caterer, the match ends
 *   as `NoMenuAgreed`. With menus learnt from events, a decline never ends the match (another menu may still be
 *   proposed); only the deadline does.
 */
export function applyMenuEvent(
  state: CateringMatchState,
  kind: MenuEventKind,
  event: unknown,
  now: Date,
  limits: MatchLimits = matchLimits,
): CateringMatchState {
  const at = now.toISOString();
  const problem = findEventProblem(kind, event, limits.lengthBounded);
  if (problem !== undefined)
    return recordRejected(state, describeEvent(kind, event, `malformed: ${problem.message}`, at), at);
  const ev = event as MenuEvent;
  const held = state.heldEvents ?? [];
  if (state.processedEventIds.includes(ev.eventId) || held.some((h) => h.event.eventId === ev.eventId))
    return ignore(state, kind, ev, 'duplicate event', at);
  if (!isOpen(state)) return ignore(state, kind, ev, 'match finished', at);
  if (ev.orderId !== state.orderId) return ignore(state, kind, ev, 'other order', at);
  if (state.awaitingOffer) {
    if (held.length >= limits.heldEvents)
      return ignore(state, kind, ev, 'too many events before the offer', at);
    return { ...state, updatedAt: at, heldEvents: [...held, { kind, event: ev, at }] };
  }

  let index = state.menus.findIndex((m) => m.menuId === ev.menuId);
  let menus = state.menus;
  if (index < 0) {
    if (state.menusOffered) return ignore(state, kind, ev, 'menu not on offer', at);
    if (menus.length >= limits.learntMenus) return ignore(state, kind, ev, 'too many menus', at);
    menus = [...menus, { menuId: ev.menuId, customerConfirmed: false, caterer: 'none' }];
    index = menus.length - 1;
  }
  const before = menus[index]!;
  let menu: MenuMatchState;
  if (kind === 'CustomerConfirmedMenu') {
    menu = before.customerConfirmed
      ? before
      : { ...before, customerConfirmed: true, customerConfirmedAt: at };
  } else {
    const { catererId } = ev as CatererConfirmedMenu | CatererDeclinedMenu;
    if (before.catererId !== undefined && before.catererId !== catererId) {
      return ignore(state, kind, ev, 'caterer mismatch', at);
    }
    menu = {
      ...before,
      catererId,
      caterer: kind === 'CatererConfirmedMenu' ? 'confirmed' : 'declined',
      catererAnsweredAt: at,
    };
    if (kind === 'CatererDeclinedMenu') {
      const { reason } = ev as CatererDeclinedMenu;
      if (reason !== undefined) menu.declineReason = reason;
      else delete menu.declineReason;
    } else {
      delete menu.declineReason;
    }
  }
  menus = menus.map((m, i) => (i === index ? menu : m));

  const next: CateringMatchState = {
    ...state,
    menus,
    updatedAt: at,
    processedEventIds: [...state.processedEventIds, ev.eventId].slice(-limits.processedEventIdsKept),
    processedEventCount: state.processedEventCount + 1,
  };
  if (isAgreed(menu)) return { ...next, status: 'Matched', chosenMenuId: menu.menuId, finishedAt: at };
  return endIfEveryMenuDeclined(next, at);
}

const sameMenus = (a: MenuOffer[], b: MenuOffer[]): boolean =>
  a.length === b.length && a.every((m, i) => m.menuId === b[i]?.menuId && m.catererId === b[i]?.catererId);

/**
 * The order says which menus it offers (or that it names none). The order is the source of truth: its menus replace
 * the ones the match started with or learnt, and everything accepted before is decided on again against them.
 *
 * - A customer's confirmation of an offered menu is kept; a caterer's word is kept only when it came from that
 *   menu's caterer, otherwise it is recorded as ignored (`caterer mismatch`); answers for a menu not on offer are
 *   recorded as ignored (`menu not on offer`).
 * - Held events are then applied in the order they arrived, by the usual rules; the first menu they agree on is
 *   chosen, and an offer whose every menu is declined ends `NoMenuAgreed`.
 * - An offer without menus: the menus stay the ones learnt from the events, and held events are applied as such.
 * - The same offer again, or any offer once the match has finished, changes nothing (recorded).
 */
export function applyOffer(
  state: CateringMatchState,
  offer: unknown,
  now: Date,
  limits: MatchLimits = matchLimits,
): CateringMatchState {
  const at = now.toISOString();
  const problem = findOfferProblem(offer, limits.lengthBounded);
  const setAside = (reason: string, extra: Partial<SetAsideEvent> = {}): SetAsideEvent => ({
    kind: 'MenusOffered',
    reason,
    at,
    ...(isRecord(offer) && typeof offer.orderId === 'string' ? { orderId: offer.orderId } : {}),
    ...extra,
  });
  if (problem !== undefined) return recordRejected(state, setAside(`malformed: ${problem.message}`), at);
  const { orderId, menus: offered } = offer as MenusOffered;
  if (!isOpen(state)) return recordIgnored(state, 'match finished', setAside('match finished'), at);
  if (orderId !== state.orderId) return recordIgnored(state, 'other order', setAside('other order'), at);
  if (
    !state.awaitingOffer &&
    (offered === undefined
      ? !state.menusOffered
      : state.menusOffered &&
        sameMenus(
          state.menus.map((m) => ({ menuId: m.menuId, catererId: m.catererId ?? '' })),
          offered,
        ))
  ) {
    return recordIgnored(state, 'same offer again', setAside('same offer again'), at);
  }

  let next: CateringMatchState = { ...state, updatedAt: at, heldEvents: [] };
  delete next.awaitingOffer;
  delete next.heldEvents;
  if (offered !== undefined) {
    const recheck: [IgnoreReason, SetAsideEvent][] = [];
    const menus: MenuMatchState[] = offered.map((o) => {
      const had = state.menus.find((m) => m.menuId === o.menuId);
      const menu: MenuMatchState = {
        menuId: o.menuId,
        catererId: o.catererId,
        customerConfirmed: false,
        caterer: 'none',
      };
      if (had?.customerConfirmed) {
        menu.customerConfirmed = true;
        if (had.customerConfirmedAt !== undefined) menu.customerConfirmedAt = had.customerConfirmedAt;
      }
      if (had && had.caterer !== 'none') {
        if (had.catererId === o.catererId) {
          menu.caterer = had.caterer;
          if (had.catererAnsweredAt !== undefined) menu.catererAnsweredAt = had.catererAnsweredAt;
          if (had.declineReason !== undefined) menu.declineReason = had.declineReason;
        } else recheck.push(['caterer mismatch', rechecked(had, 'caterer mismatch', at)]);
      }
      return menu;
    });
    for (const had of state.menus) {
      if (!offered.some((o) => o.menuId === had.menuId) && (had.customerConfirmed || had.caterer !== 'none'))
        recheck.push(['menu not on offer', rechecked(had, 'menu not on offer', at)]);
    }
    next = { ...next, menusOffered: true, menus };
    for (const [reason, entry] of recheck) next = recordIgnored(next, reason, entry, at);
  }
  for (const held of state.heldEvents ?? [])
    next = applyMenuEvent(next, held.kind, held.event, new Date(held.at), limits);
  return endIfEveryMenuDeclined(next, at);
}

/** What a menu learnt from events had from a caterer (or customer) that the order's offer does not bear out. */
function rechecked(had: MenuMatchState, reason: IgnoreReason, at: string): SetAsideEvent {
  const entry: SetAsideEvent = {
    kind:
      had.caterer === 'none'
        ? 'CustomerConfirmedMenu'
        : had.caterer === 'confirmed'
          ? 'CatererConfirmedMenu'
          : 'CatererDeclinedMenu',
    reason: `${reason} (re-checked against the order's offer)`,
    at,
    menuId: had.menuId,
  };
  if (had.caterer !== 'none' && had.catererId !== undefined) entry.catererId = had.catererId;
  return entry;
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
