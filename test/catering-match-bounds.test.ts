import { applyMenuEvent } from '../workflows/catering-match/match-events';
import { startMatch } from '../workflows/catering-match/match-rules';
import type { MatchLimits } from '../workflows/catering-match/match-rules';
import type { CateringMatchState } from '../src/contract';

const t0 = new Date('2030-01-01T00:00:00Z');
const customer = (menuId: string, eventId: string) => ({ orderId: 'o-1', menuId, eventId });

function feed(state: CateringMatchState, count: number, limits?: MatchLimits, menuOf = (_i: number) => 'A') {
  for (let i = 0; i < count; i++)
    state = applyMenuEvent(state, 'CustomerConfirmedMenu', customer(menuOf(i), `e-${i}`), t0, limits);
  return state;
}

describe('CateringMatch state stays bounded however many events arrive', () => {
  test('when more events are applied than the eventId window holds, then only the newest 1,000 ids are kept and every one is counted', () => {
    // docs/behaviour.md's number: the newest 1,000 applied eventIds are remembered.
    const kept = 1000;
    const state = feed(startMatch({ orderId: 'o-1', learnMenusFromEvents: true }, t0), kept + 25);
    expect(state.processedEventIds).toHaveLength(kept);
    expect(state.processedEventIds[0]).toBe('e-25');
    expect(state.processedEventCount).toBe(kept + 25);
    // Inside the window a redelivery is still a duplicate.
    const again = applyMenuEvent(state, 'CustomerConfirmedMenu', customer('A', `e-${kept}`), t0);
    expect(again.ignoredByReason).toEqual({ 'duplicate event': 1 });
  });

  test('when events name more menus than a learning match takes, then 50 are taken and the extra menus are ignored, not added', () => {
    // docs/behaviour.md's number: a match learning its menus from events takes at most 50.
    const limit = 50;
    const state = feed(
      startMatch({ orderId: 'o-1', learnMenusFromEvents: true }, t0),
      limit + 5,
      undefined,
      (i) => `m-${i}`,
    );
    expect(state.menus).toHaveLength(limit);
    expect(state.ignoredByReason).toEqual({ 'too many menus': 5 });
  });
});
