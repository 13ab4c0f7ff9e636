/** How the order's offer (`MenusOffered`) changes a match: pure, like the rest of the match's rules. */
import { findOfferProblem } from '../../src/contract/catering-match-checks';
import type {
  CateringMatchState,
  IgnoreReason,
  MenuMatchState,
  MenuOffer,
  MenusOffered,
  SetAsideEvent,
} from '../../src/contract';
import { applyMenuEvent } from './match-events';
import {
  deadlineAfter,
  endIfEveryMenuDeclined,
  isOpen,
  isRecord,
  matchLimits,
  recordIgnored,
  recordRejected,
} from './match-rules';
import type { MatchLimits } from './match-rules';

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
 * - An offer that carries its order's `confirmWithin` moves the match's deadline to it, counted from the match's
 *   start, so the match gives up when its order does.
 */
export function applyOffer(
  state: CateringMatchState,
  offer: unknown,
  now: Date,
  limits: MatchLimits = matchLimits,
): CateringMatchState {
  const at = now.toISOString();
  const problem = findOfferProblem(offer);
  const setAside = (reason: string): SetAsideEvent => ({
    kind: 'MenusOffered',
    reason,
    at,
    ...(isRecord(offer) && typeof offer.orderId === 'string' ? { orderId: offer.orderId } : {}),
  });
  if (problem !== undefined) return recordRejected(state, setAside(`malformed: ${problem.message}`), at);
  const { orderId, menus: offered, confirmWithin } = offer as MenusOffered;
  const next = decideOnOffer(state, orderId, offered, at, setAside, limits);
  if (!isOpen(next) || confirmWithin === undefined) return next;
  return { ...next, deadline: deadlineAfter(next.startedAt, confirmWithin) };
}

function decideOnOffer(
  state: CateringMatchState,
  orderId: string,
  offered: MenuOffer[] | undefined,
  at: string,
  setAside: (reason: string) => SetAsideEvent,
  limits: MatchLimits,
): CateringMatchState {
  if (!isOpen(state)) return recordIgnored(state, 'match finished', setAside('match finished'), at);
  if (orderId !== state.orderId) return recordIgnored(state, 'other order', setAside('other order'), at);
  const known = state.menus.map((m) => ({ menuId: m.menuId, catererId: m.catererId ?? '' }));
  const sameAgain =
    offered === undefined ? !state.menusOffered : state.menusOffered && sameMenus(known, offered);
  if (!state.awaitingOffer && sameAgain)
    return recordIgnored(state, 'same offer again', setAside('same offer again'), at);

  let next: CateringMatchState = { ...state, updatedAt: at };
  delete next.awaitingOffer;
  delete next.heldEvents;
  if (offered !== undefined) {
    const recheck: [IgnoreReason, SetAsideEvent][] = [];
    const menus = offered.map((o) => keepWhatTheOfferBearsOut(state.menus, o, at, recheck));
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

/** An offered menu, with the customer's confirmation the match held and the caterer's word if it was that caterer's. */
function keepWhatTheOfferBearsOut(
  had: MenuMatchState[],
  offered: MenuOffer,
  at: string,
  recheck: [IgnoreReason, SetAsideEvent][],
): MenuMatchState {
  const before = had.find((m) => m.menuId === offered.menuId);
  const menu: MenuMatchState = {
    menuId: offered.menuId,
    catererId: offered.catererId,
    customerConfirmed: false,
    caterer: 'none',
  };
  if (before?.customerConfirmed) {
    menu.customerConfirmed = true;
    if (before.customerConfirmedAt !== undefined) menu.customerConfirmedAt = before.customerConfirmedAt;
  }
  if (before && before.caterer !== 'none') {
    if (before.catererId === offered.catererId) {
      menu.caterer = before.caterer;
      if (before.catererAnsweredAt !== undefined) menu.catererAnsweredAt = before.catererAnsweredAt;
      if (before.declineReason !== undefined) menu.declineReason = before.declineReason;
    } else recheck.push(['caterer mismatch', rechecked(before, 'caterer mismatch', at)]);
  }
  return menu;
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
