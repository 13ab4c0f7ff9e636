/** How one menu event changes a match: pure, like the rest of the match's rules. */
import { findEventProblem } from '../../src/contract/catering-match-checks';
import type {
  CatererConfirmedMenu,
  CatererDeclinedMenu,
  CateringMatchState,
  IgnoreReason,
  MenuEvent,
  MenuEventKind,
  MenuMatchState,
} from '../../src/contract';
import {
  describeEvent,
  endIfEveryMenuDeclined,
  isOpen,
  matchLimits,
  recordIgnored,
  recordRejected,
} from './match-rules';
import type { MatchLimits } from './match-rules';

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
 * - A malformed payload (not an object, a required field missing, a field too long) is rejected and recorded; it
 *   never fails the workflow.
 * - An `eventId` already applied or held is a duplicate and changes nothing.
 * - Once the match has finished, every event is ignored: the decision is final.
 * - An event for another order is ignored.
 * - While the match awaits its order's offer, the event is held (up to `limits.heldEvents`) and decided on when the
 *   offer comes.
 * - When menus were offered, an event for a menu not on offer is ignored. When they are learnt from events, the
 *   first event naming a menu puts it on the table, up to `limits.learntMenus` menus.
 * - A caterer event from a caterer other than the menu's caterer is ignored. When menus are learnt from events,
 *   the first caterer to answer for a menu becomes its caterer.
 * - The caterer's latest word wins while the match is open; a customer's confirmation is never withdrawn.
 * - The first menu to hold both the customer's and the caterer's current confirmation is chosen (`Matched`): at
 *   most one menu can become agreed per event, so "first" is well defined.
 * - When menus were offered and every one of them is currently declined, the match ends `NoMenuAgreed`. With menus
 *   learnt from events only the deadline ends it, since another menu may still be proposed.
 */
export function applyMenuEvent(
  state: CateringMatchState,
  kind: MenuEventKind,
  event: unknown,
  now: Date,
  limits: MatchLimits = matchLimits,
): CateringMatchState {
  const at = now.toISOString();
  const problem = findEventProblem(kind, event);
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
    const reason = kind === 'CatererDeclinedMenu' ? (ev as CatererDeclinedMenu).reason : undefined;
    if (reason !== undefined) menu.declineReason = reason;
    else delete menu.declineReason;
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
