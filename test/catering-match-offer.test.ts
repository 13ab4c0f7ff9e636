/**
 * The match's rules for its order's offer (applyOffer), as pure functions: the same offer twice, an offer that names
 * no menus, the bound on the events held while awaiting it, the answers a match held re-checked against the offer, and
 * a late offer to a decided match.
 */
import { applyMenuEvent } from '../workflows/catering-match/match-events';
import { applyOffer } from '../workflows/catering-match/match-offer-rules';
import { startMatch } from '../workflows/catering-match/match-rules';
import type { CateringMatchState } from '../src/contract';

const t0 = new Date('2030-01-01T00:00:00Z');
const t1 = new Date('2030-01-01T00:01:00Z');
const orderId = 'o-1';
const menus = [
  { menuId: 'A', catererId: 'cat-anna' },
  { menuId: 'B', catererId: 'cat-ben' },
];
/** A match started by an event, before its order: it awaits the order's offer. */
const awaiting = (): CateringMatchState => startMatch({ orderId }, t0);
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

  test('when more than 200 events come before the offer, then 200 are held and applied with it, the rest ignored', () => {
    // docs/behaviour.md's number: a match awaiting its order's offer holds at most 200 events.
    const limit = 200;
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

  test.each([
    ['learnt them from events', () => startMatch({ orderId, learnMenusFromEvents: true }, t0)],
    [
      'started with other menus',
      () =>
        startMatch(
          {
            orderId,
            menus: [
              { menuId: 'A', catererId: 'cat-ben' },
              { menuId: 'C', catererId: 'cat-cleo' },
            ],
          },
          t0,
        ),
    ],
  ])(
    'when the offer comes to a match that %s and holds answers, then a wrong caterer’s word is ignored as caterer mismatch and answers for a menu not offered as menu not on offer',
    (_how, start) => {
      let state = applyMenuEvent(start(), 'CustomerConfirmedMenu', customer('A', 'e-1'), t0);
      state = applyMenuEvent(state, 'CatererDeclinedMenu', caterer('A', 'e-2', 'cat-ben'), t0);
      state = applyMenuEvent(state, 'CustomerConfirmedMenu', customer('C', 'e-3'), t0);
      expect(state).toMatchObject({ status: 'AwaitingConfirmations', processedEventCount: 3 });
      expect(state.ignoredEventCount).toBe(0);

      const offered = applyOffer(state, { orderId, menus }, t1);
      expect(offered).toMatchObject({ status: 'AwaitingConfirmations', menusOffered: true });
      // The customer's word for A stands; cat-ben's for A does not, since A is cat-anna's.
      expect(offered.menus).toEqual([
        {
          menuId: 'A',
          catererId: 'cat-anna',
          customerConfirmed: true,
          customerConfirmedAt: t0.toISOString(),
          caterer: 'none',
        },
        { menuId: 'B', catererId: 'cat-ben', customerConfirmed: false, caterer: 'none' },
      ]);
      expect(offered.ignoredByReason).toEqual({ 'caterer mismatch': 1, 'menu not on offer': 1 });
      expect(offered.ignoredEvents).toEqual([
        expect.objectContaining({
          kind: 'CatererDeclinedMenu',
          menuId: 'A',
          catererId: 'cat-ben',
          reason: expect.stringMatching(/^caterer mismatch/) as string,
        }),
        expect.objectContaining({
          kind: 'CustomerConfirmedMenu',
          menuId: 'C',
          reason: expect.stringMatching(/^menu not on offer/) as string,
        }),
      ]);
      // A's own caterer agrees it with the customer's kept confirmation.
      expect(
        applyMenuEvent(offered, 'CatererConfirmedMenu', caterer('A', 'e-4', 'cat-anna'), t1),
      ).toMatchObject({ status: 'Matched', chosenMenuId: 'A' });
    },
  );

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
