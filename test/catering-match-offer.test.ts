/**
 * The match's rules for its order's offer (applyOffer), as pure functions: the same offer twice, an offer that names
 * no menus, the bound on the events held while awaiting it, and a late offer to a decided match.
 */
import { applyMenuEvent, applyOffer, matchLimits, startMatch } from '../workflows/catering-match-state';
import type { CateringMatchState } from '../src/contract';

const t0 = new Date('2030-01-01T00:00:00Z');
const t1 = new Date('2030-01-01T00:01:00Z');
const orderId = 'o-1';
const menus = [
  { menuId: 'A', catererId: 'cat-anna' },
  { menuId: 'B', catererId: 'cat-ben' },
];
/** A match started by an event, before its order: it awaits the order's offer. */
const awaiting = (): CateringMatchState => startMatch({ orderId }, t0, { awaitOffer: true });
const customer = (menuId: string, eventId: string) => ({ orderId, menuId, eventId });
const caterer = (menuId: string, eventId: string, catererId: string) => ({
  orderId,
  menuId,
  eventId,
  catererId,
});

describe("the order's offer", () => {
  test('when the same offer comes twice, then the second changes nothing but is counted as such', () => {
    const offered = applyOffer(
      applyMenuEvent(awaiting(), 'CustomerConfirmedMenu', customer('A', 'e-1'), t0),
      { orderId, menus },
      t0,
    );
    expect(offered).toMatchObject({ menusOffered: true, processedEventCount: 1 });
    const again = applyOffer(offered, { orderId, menus: menus.map((m) => ({ ...m })) }, t1);
    expect(again.ignoredByReason).toEqual({ 'same offer again': 1 });
    expect(again.menus).toEqual(offered.menus);
    expect({
      ...again,
      updatedAt: offered.updatedAt,
      ignoredEventCount: 0,
      ignoredByReason: {},
      ignoredEvents: [],
    }).toEqual({
      ...offered,
      ignoredEventCount: 0,
      ignoredByReason: {},
      ignoredEvents: [],
    });
  });

  test('when the offer names no menus, then the held events are applied and menus are learnt from them, and a second such offer changes nothing', () => {
    let state = applyMenuEvent(awaiting(), 'CustomerConfirmedMenu', customer('A', 'e-1'), t0);
    state = applyMenuEvent(state, 'CatererConfirmedMenu', caterer('B', 'e-2', 'cat-ben'), t0);
    expect(state.heldEvents).toHaveLength(2);
    const learnt = applyOffer(state, { orderId }, t1);
    expect(learnt.awaitingOffer).toBeUndefined();
    expect(learnt.heldEvents).toBeUndefined();
    expect(learnt.menusOffered).toBe(false);
    expect(learnt).toMatchObject({
      status: 'AwaitingConfirmations',
      processedEventCount: 2,
      menus: [
        { menuId: 'A', customerConfirmed: true, caterer: 'none' },
        { menuId: 'B', customerConfirmed: false, caterer: 'confirmed', catererId: 'cat-ben' },
      ],
    });
    // Learnt menus take any caterer's word, as a match without an offer always has: the customer's B agrees it.
    expect(applyMenuEvent(learnt, 'CustomerConfirmedMenu', customer('B', 'e-3'), t1)).toMatchObject({
      status: 'Matched',
      chosenMenuId: 'B',
    });
    expect(applyOffer(learnt, { orderId }, t1).ignoredByReason).toEqual({ 'same offer again': 1 });
  });

  test(`when more than ${matchLimits.heldEvents} events come before the offer, then ${matchLimits.heldEvents} are held and applied with it, the rest ignored`, () => {
    const limit = matchLimits.heldEvents;
    let state = awaiting();
    for (let i = 0; i <= limit; i++)
      state = applyMenuEvent(state, 'CustomerConfirmedMenu', customer(i % 2 ? 'A' : 'B', `e-${i}`), t0);
    expect(state.heldEvents).toHaveLength(limit);
    expect(state.ignoredByReason).toEqual({ 'too many events before the offer': 1 });
    expect(state.ignoredEvents.at(-1)).toMatchObject({ eventId: `e-${limit}` });
    const offered = applyOffer(state, { orderId, menus }, t1);
    expect(offered.heldEvents).toBeUndefined();
    expect(offered.processedEventCount).toBe(limit);
    expect(offered.menus.map((m) => [m.menuId, m.customerConfirmed])).toEqual([
      ['A', true],
      ['B', true],
    ]);
  });

  test('when an offer comes to a match already decided, then the match is left as it ended', () => {
    let state = applyOffer(awaiting(), { orderId, menus }, t0);
    state = applyMenuEvent(state, 'CustomerConfirmedMenu', customer('A', 'e-1'), t0);
    state = applyMenuEvent(state, 'CatererConfirmedMenu', caterer('A', 'e-2', 'cat-anna'), t0);
    expect(state).toMatchObject({ status: 'Matched', chosenMenuId: 'A' });
    const late = applyOffer(state, { orderId, menus: [{ menuId: 'C', catererId: 'cat-cleo' }] }, t1);
    expect(late).toMatchObject({ status: 'Matched', chosenMenuId: 'A', menus: state.menus });
    expect(late.ignoredByReason).toEqual({ 'match finished': 1 });
  });
});
