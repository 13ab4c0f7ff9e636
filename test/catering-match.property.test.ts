import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { maxLengths } from '../src/contract/messages';
import { publishMenuEvent, startCateringMatch } from '../src/clients/catering-match-client';
import { cateringMatchWorkflowId } from '../src/contract';
import type { CateringMatchState, CateringMatchStatus, MenuEventKind, MenuOffer } from '../src/contract';
import type { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import { applyMenuEvent } from '../workflows/catering-match/match-events';
import { expireMatch, setAsideListLimit, startMatch } from '../workflows/catering-match/match-rules';
import {
  confirmOrdersReceived,
  eventsSeen,
  pollUntil,
  readMatchState,
  sendRaw,
  startOrderRecorder,
  useMatchWorker,
} from './support/catering-match';
import { createTimeSkippingEnv, uniqueId } from './support/environments';

// Replay a failure with FC_SEED=<seed printed by fast-check>.
const seed = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) };

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const deadlineMs = 24 * hour;

interface EventSpec {
  kind: MenuEventKind;
  payload: unknown;
  /** When it is delivered, in ms after the match started. */
  atMs: number;
  /** For another order, or malformed: only reachable by a raw signal (the publisher refuses or reroutes it). */
  raw: boolean;
}

interface Scenario {
  menus?: MenuOffer[];
  events: EventSpec[];
}

type Shape =
  | 'well-formed'
  | 'extra fields'
  | 'huge strings'
  | 'other order'
  | 'null'
  | 'not an object'
  | 'field missing'
  | 'field of the wrong type'
  | 'field empty';

interface Draw {
  kind: MenuEventKind;
  menuId: string;
  strangerCaterer: string | undefined;
  shape: Shape;
  /** Which carried field a malformed shape breaks, and with what. */
  field: number;
  wrongValue: unknown;
  /** An earlier event again: word for word, or its eventId on other content. */
  duplicateOf: { index: number; reworded: boolean } | undefined;
  atMs: number;
}

const menuIdPool = ['A', 'B'];
const catererPool = ['c1', 'c2'];

/** `arb` in `times` draws out of `outOf`, undefined otherwise. */
const sometimes = <T>(times: number, outOf: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: times, arbitrary: arb }, { weight: outOf - times, arbitrary: fc.constant(undefined) });

// Menus offered at start two times in three; learnt from the events otherwise.
const menusArb: fc.Arbitrary<MenuOffer[] | undefined> = sometimes(
  2,
  3,
  fc
    .uniqueArray(fc.constantFrom(...menuIdPool), { minLength: 1, maxLength: menuIdPool.length, size: 'max' })
    .chain((ids) =>
      fc.tuple(
        ...ids.map((menuId) => fc.constantFrom(...catererPool).map((catererId) => ({ menuId, catererId }))),
      ),
    ),
);

/**
 * Delivery times: anywhere in the match's life and past its deadline, and often right around the deadline, the race
 * the rule is about. The workflow test keeps a quiet minute on either side of the deadline. Its server's clock runs
 * on in real time while an event is being delivered, and the deadline timer starts when the match's first task
 * completes, a little after the test's clock starts: an event meant for a few ms before the deadline lands after it,
 * and one meant for a few ms after lands while the timer fires. That second race is the time-skipping server's own
 * bug (sdk-java#2606): it refuses the task's CancelTimer ("invalid history builder state for action") and never
 * hands the match another task, so the run hangs until the property's timeout. The pure rules get every instant.
 */
interface Timing {
  nearDeadline: number[];
  /** No event is meant for this last stretch before the deadline. */
  quietBefore: number;
  /** Nor for this first stretch after it. */
  quietAfter: number;
}
const pureTiming: Timing = {
  nearDeadline: [-hour, -10 * minute, -minute, -second, -1, 0, 1, minute],
  quietBefore: 0,
  quietAfter: 0,
};
const serverTiming: Timing = {
  nearDeadline: [-hour, -10 * minute, -minute, minute, 10 * minute],
  quietBefore: minute,
  quietAfter: minute,
};
const timeArb = ({ nearDeadline, quietBefore, quietAfter }: Timing): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: 0, max: deadlineMs - quietBefore - 1 }) },
    { weight: 3, arbitrary: fc.constantFrom(...nearDeadline).map((offset) => deadlineMs + offset) },
    { weight: 1, arbitrary: fc.integer({ min: deadlineMs + quietAfter, max: deadlineMs + 12 * hour }) },
  );

const wrongValueArb = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.constant({ nested: 'object' }),
  fc.constant(['A']),
);

const drawArb = (menus: MenuOffer[] | undefined, timing: Timing): fc.Arbitrary<Draw> =>
  fc.record({
    kind: fc.oneof(
      { weight: 4, arbitrary: fc.constant<MenuEventKind>('CustomerConfirmedMenu') },
      { weight: 4, arbitrary: fc.constant<MenuEventKind>('CatererConfirmedMenu') },
      { weight: 2, arbitrary: fc.constant<MenuEventKind>('CatererDeclinedMenu') },
    ),
    menuId: fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...(menus?.map((m) => m.menuId) ?? menuIdPool)) },
      { weight: 1, arbitrary: fc.constant('Z') },
    ),
    strangerCaterer: sometimes(1, 6, fc.constantFrom('c1', 'c2', 'c3')),
    shape: fc.oneof(
      { weight: 24, arbitrary: fc.constant<Shape>('well-formed') },
      {
        weight: 8,
        arbitrary: fc.constantFrom<Shape>(
          'extra fields',
          'huge strings',
          'other order',
          'null',
          'not an object',
          'field missing',
          'field of the wrong type',
          'field empty',
        ),
      },
    ),
    field: fc.nat(),
    wrongValue: wrongValueArb,
    duplicateOf: sometimes(1, 4, fc.record({ index: fc.nat(), reworded: fc.boolean() })),
    atMs: timeArb(timing),
  });

/** The caterer each menu expects; for menus learnt from events, a fixed one per menu. */
const ownerOf = (menus: MenuOffer[] | undefined, menuId: string): string =>
  menus?.find((m) => m.menuId === menuId)?.catererId ?? `caterer-of-${menuId}`;

const carriedFields = (kind: MenuEventKind): string[] =>
  kind === 'CustomerConfirmedMenu'
    ? ['orderId', 'menuId', 'eventId']
    : ['orderId', 'menuId', 'eventId', 'catererId'];

function payloadFor(orderId: string, menus: MenuOffer[] | undefined, d: Draw, eventId: string): unknown {
  const payload: Record<string, unknown> = {
    orderId: d.shape === 'other order' ? `${orderId}-other` : orderId,
    menuId: d.menuId,
    eventId,
  };
  if (d.kind !== 'CustomerConfirmedMenu') payload.catererId = d.strangerCaterer ?? ownerOf(menus, d.menuId);
  const field = carriedFields(d.kind)[d.field % carriedFields(d.kind).length]!;
  switch (d.shape) {
    case 'null':
      return null;
    case 'not an object':
      return d.field % 2 === 0 ? `${d.kind} ${eventId}` : [payload];
    case 'field missing':
      delete payload[field];
      return payload;
    case 'field of the wrong type':
      return { ...payload, [field]: d.wrongValue };
    case 'field empty':
      return { ...payload, [field]: '' };
    case 'extra fields':
      return {
        ...payload,
        note: 'from the caterer portal',
        priority: 3,
        meta: { source: 'test' },
        empty: null,
      };
    case 'huge strings':
      // The menu on offer is kept, so that the event still counts: its eventId as long as the schema allows (one
      // more is refused, src/contract/messages.ts maxLengths) and an extra field of any length, which is dropped.
      return {
        ...payload,
        eventId: `${eventId}:`.padEnd(maxLengths.eventId, 'x'),
        note: 'y'.repeat(10_000),
      };
    default:
      return payload;
  }
}

/** A copy of an earlier event's payload under its eventId, with another kind, menu or caterer. */
function reword(earlier: EventSpec): Pick<EventSpec, 'kind' | 'payload'> {
  const payload = { ...(earlier.payload as Record<string, unknown>) };
  if (earlier.kind === 'CatererConfirmedMenu') return { kind: 'CatererDeclinedMenu', payload };
  if (earlier.kind === 'CatererDeclinedMenu') return { kind: 'CatererConfirmedMenu', payload };
  return {
    kind: 'CustomerConfirmedMenu',
    payload: { ...payload, menuId: payload.menuId === 'A' ? 'B' : 'A' },
  };
}

/** A burst of set-aside events in one instant, long enough to pass every set-aside list's cap. */
interface Flood {
  size: number;
  kind: 'rejected' | 'ignored';
  atMs: number;
}

function buildScenario(
  orderId: string,
  menus: MenuOffer[] | undefined,
  draws: Draw[],
  flood?: Flood,
): Scenario {
  const built: EventSpec[] = [];
  draws.forEach((d, i) => {
    const earlier =
      d.duplicateOf === undefined || built.length === 0
        ? undefined
        : built[d.duplicateOf.index % built.length];
    // Only an object payload has an eventId to reuse.
    if (earlier !== undefined && typeof earlier.payload === 'object' && earlier.payload !== null) {
      const content = d.duplicateOf!.reworded ? reword(earlier) : earlier;
      built.push({ ...earlier, ...content, atMs: d.atMs });
      return;
    }
    const payload = payloadFor(orderId, menus, d, `${orderId}:e${i}`);
    const raw = d.shape !== 'well-formed' && d.shape !== 'extra fields' && d.shape !== 'huge strings';
    built.push({ kind: d.kind, payload, atMs: d.atMs, raw });
  });
  for (let n = 0; n < (flood?.size ?? 0); n++) {
    const payload =
      flood!.kind === 'rejected'
        ? { orderId, menuId: 'A', eventId: n }
        : { orderId: `${orderId}-other`, menuId: 'A', eventId: `${orderId}:flood${n}` };
    built.push({ kind: 'CustomerConfirmedMenu', payload, atMs: flood!.atMs, raw: true });
  }
  // Delivery order is time order; Array.prototype.sort is stable, so same-instant events keep their draw order.
  return { ...(menus ? { menus } : {}), events: built.sort((a, b) => a.atMs - b.atMs) };
}

const floodArb: fc.Arbitrary<Flood | undefined> = sometimes(
  1,
  3,
  fc.record({
    size: fc.integer({ min: 40, max: 2 * setAsideListLimit }),
    kind: fc.constantFrom<Flood['kind']>('rejected', 'ignored'),
    atMs: timeArb(pureTiming),
  }),
);

const drawsArb = (maxEvents: number, timing: Timing) =>
  menusArb.chain((menus) =>
    fc.tuple(
      fc.constant(menus),
      fc.array(drawArb(menus, timing), { minLength: 2, maxLength: maxEvents, size: 'max' }),
    ),
  );

const scenarioArb = (orderId: string, maxEvents: number): fc.Arbitrary<Scenario> =>
  fc
    .tuple(drawsArb(maxEvents, pureTiming), floodArb)
    .map(([[menus, draws], flood]) => buildScenario(orderId, menus, draws, flood));

interface Expected {
  status: 'Matched' | 'Expired' | 'NoMenuAgreed';
  menuId?: string;
  /** Index of the event that decided the match; events after it find the match finished. */
  decidedBy?: number;
  applied: number;
  rejected: number;
  ignored: number;
}

const isFilled = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Malformed: not an object, or a field its kind carries is not a non-empty string. Extra fields do no harm. */
const wellFormed = (ev: EventSpec): boolean =>
  typeof ev.payload === 'object' &&
  ev.payload !== null &&
  !Array.isArray(ev.payload) &&
  carriedFields(ev.kind).every((field) => isFilled((ev.payload as Record<string, unknown>)[field]));

interface Counted {
  kind: MenuEventKind;
  menuId: string;
  eventId: string;
  catererId?: string;
}

/**
 * The rule as the README states it, read off the events alone: an event counts when it is well-formed, for this
 * order, before the deadline, not a repeat of an eventId that already counted, for a menu on offer (any menu when
 * they are learnt from events) and, from a caterer, from that menu's caterer (the first to answer, when learnt).
 * The customer's confirmation is never withdrawn; the caterer's latest word wins. The match is decided by the first
 * event after which some menu has both confirmations (Matched, on that menu: ConfirmOrder once) or every offered menu
 * stands declined (NoMenuAgreed); nothing counts after that. Otherwise the deadline passes first (Expired).
 */
function promised(orderId: string, scenario: Scenario): Expected {
  const { events, menus: offered } = scenario;
  const rejected = events.filter((ev) => !wellFormed(ev)).length;
  const outcome = (
    status: Expected['status'],
    counted: Counted[],
    extra: Partial<Expected> = {},
  ): Expected => ({
    status,
    ...extra,
    applied: counted.length,
    rejected,
    ignored: events.length - counted.length - rejected,
  });
  const catererOf = (counted: Counted[], menuId: string): string | undefined =>
    offered?.find((m) => m.menuId === menuId)?.catererId ??
    counted.find((c) => c.menuId === menuId && c.catererId !== undefined)?.catererId;
  const customerConfirmed = (counted: Counted[], menuId: string): boolean =>
    counted.some((c) => c.menuId === menuId && c.kind === 'CustomerConfirmedMenu');
  const catererWord = (counted: Counted[], menuId: string): MenuEventKind | undefined =>
    counted.filter((c) => c.menuId === menuId && c.kind !== 'CustomerConfirmedMenu').at(-1)?.kind;

  const counted: Counted[] = [];
  for (const [i, ev] of events.entries()) {
    if (ev.atMs >= deadlineMs) break;
    if (!wellFormed(ev)) continue;
    const { orderId: its, menuId, eventId, catererId } = ev.payload as Record<string, string>;
    if (its !== orderId || counted.some((c) => c.eventId === eventId)) continue;
    if (offered && !offered.some((m) => m.menuId === menuId)) continue;
    const fromCaterer = ev.kind !== 'CustomerConfirmedMenu';
    if (fromCaterer && (catererOf(counted, menuId!) ?? catererId) !== catererId) continue;
    counted.push({
      kind: ev.kind,
      menuId: menuId!,
      eventId: eventId!,
      ...(fromCaterer ? { catererId } : {}),
    });

    const menusNow = [...new Set(counted.map((c) => c.menuId))];
    const agreed = menusNow.find(
      (m) => customerConfirmed(counted, m) && catererWord(counted, m) === 'CatererConfirmedMenu',
    );
    if (agreed !== undefined) return outcome('Matched', counted, { menuId: agreed, decidedBy: i });
    if (offered?.every((m) => catererWord(counted, m.menuId) === 'CatererDeclinedMenu'))
      return outcome('NoMenuAgreed', counted, { decidedBy: i });
  }
  return outcome('Expired', counted);
}

const t0 = new Date('2030-01-01T00:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

/** Drives the pure rules as the workflow does: events in time order, the deadline timer when its time comes. */
function runRules(orderId: string, scenario: Scenario, deliveries = 1) {
  const { menus } = scenario;
  let state = startMatch(
    { orderId, ...(menus ? { menus } : { learnMenusFromEvents: true }), confirmWithin: '24 hours' },
    t0,
  );
  let deadlinePassed = false;
  let matchedTransitions = 0;
  const statusChanges: CateringMatchStatus[] = [];
  const step = (next: CateringMatchState) => {
    if (next.status !== state.status) {
      statusChanges.push(next.status);
      if (next.status === 'Matched') matchedTransitions++;
    }
    state = next;
  };
  for (const ev of scenario.events) {
    if (!deadlinePassed && ev.atMs >= deadlineMs) {
      step(expireMatch(state, at(deadlineMs)));
      deadlinePassed = true;
    }
    for (let n = 0; n < deliveries; n++) step(applyMenuEvent(state, ev.kind, ev.payload, at(ev.atMs)));
  }
  if (!deadlinePassed) step(expireMatch(state, at(deadlineMs)));
  return { state, matchedTransitions, statusChanges };
}

describe('the match rules (pure), over random event sequences', () => {
  it('decide what the README promises: ConfirmOrder iff a menu is agreed in time, once, for that menu', () => {
    const outcomes: Record<string, number> = {};
    const seen = { nearDeadline: 0, overCap: 0 };
    fc.assert(
      fc.property(scenarioArb('42', 14), (scenario) => {
        const expected = promised('42', scenario);
        const { state, matchedTransitions, statusChanges } = runRules('42', scenario);

        expect(state.status).toBe(expected.status);
        expect(state.chosenMenuId).toBe(expected.menuId);
        expect(matchedTransitions).toBe(expected.status === 'Matched' ? 1 : 0);
        // A decision is final: the status leaves AwaitingConfirmations once and never changes again.
        expect(statusChanges).toEqual([expected.status]);
        outcomes[expected.status] = (outcomes[expected.status] ?? 0) + 1;
        if (scenario.events.some((ev) => Math.abs(ev.atMs - deadlineMs) <= hour)) seen.nearDeadline++;
        if (expected.ignored > setAsideListLimit || expected.rejected > setAsideListLimit) seen.overCap++;
      }),
      { numRuns: 500, ...seed },
    );
    // The generator must keep reaching every outcome and every edge, or the property above proves little.
    for (const status of ['Matched', 'Expired', 'NoMenuAgreed']) expect(outcomes[status]).toBeGreaterThan(25);
    expect(seen.nearDeadline).toBeGreaterThan(100);
    expect(seen.overCap).toBeGreaterThan(25);
  });

  it('account for every event exactly once, applied, ignored or rejected, and keep only the newest set aside', () => {
    fc.assert(
      fc.property(scenarioArb('42', 14), (scenario) => {
        const expected = promised('42', scenario);
        const { state } = runRules('42', scenario);

        expect({
          applied: state.processedEventCount,
          rejected: state.rejectedEventCount,
          ignored: state.ignoredEventCount,
        }).toEqual({ applied: expected.applied, rejected: expected.rejected, ignored: expected.ignored });
        expect(Object.values(state.ignoredByReason).reduce((a, b) => a + b, 0)).toBe(expected.ignored);
        expect(state.ignoredEvents).toHaveLength(Math.min(expected.ignored, setAsideListLimit));
        expect(state.rejectedEvents).toHaveLength(Math.min(expected.rejected, setAsideListLimit));
        const lastRejected = scenario.events.filter((ev) => !wellFormed(ev)).at(-1);
        if (lastRejected) expect(state.rejectedEvents.at(-1)?.kind).toBe(lastRejected.kind);
      }),
      { numRuns: 500, ...seed },
    );
  });

  it('are blind to redelivery: every event delivered twice decides the same as once', () => {
    fc.assert(
      fc.property(scenarioArb('42', 14), (scenario) => {
        const once = runRules('42', scenario).state;
        const twice = runRules('42', scenario, 2).state;

        expect(twice.status).toBe(once.status);
        expect(twice.chosenMenuId).toBe(once.chosenMenuId);
        expect(twice.menus).toEqual(once.menus);
        expect(twice.processedEventIds).toEqual(once.processedEventIds);
      }),
      { numRuns: 500, ...seed },
    );
  });
});

describe('the CateringMatch workflow on the time-skipping server, over random event sequences and timings', () => {
  const match = useMatchWorker(createTimeSkippingEnv);
  const alerts = match.alerts;
  let env: TestWorkflowEnvironment;
  beforeAll(() => {
    env = match.env;
  });

  /** Delivers one event as production would (publisher), or by raw signal; true when the match received it. */
  async function deliver(orderId: string, ev: EventSpec): Promise<boolean> {
    const handle = env.client.workflow.getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId));
    const before = eventsSeen(await readMatchState(handle));
    if (ev.raw) {
      try {
        await sendRaw(handle, ev.kind, ev.payload);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    } else {
      const result = await publishMenuEvent(env.client, ev.kind, ev.payload as never);
      if (result.outcome === 'ignored') return false;
    }
    const after = await pollUntil(
      () => readMatchState(handle),
      (s) => eventsSeen(s) > before,
    );
    expect(eventsSeen(after)).toBeGreaterThan(before);
    return true;
  }

  const outcomes: Record<string, number> = {};

  it('sends ConfirmOrder iff a menu is agreed before the deadline and before every offered menu is declined, at most once, for that menu', async () => {
    await fc.assert(
      fc.asyncProperty(drawsArb(8, serverTiming), async ([menus, draws]) => {
        const orderId = uniqueId('prop');
        const scenario = buildScenario(orderId, menus, draws);
        const expected = promised(orderId, scenario);
        await startOrderRecorder(env.client, orderId);
        const { runId } = await startCateringMatch(env.client, {
          orderId,
          // Without menus: an order that names none, so the match learns them from the events (the oracle's rules).
          ...(menus ? { menus } : { learnMenusFromEvents: true }),
          confirmWithin: '24 hours',
        });
        const handle = env.client.workflow.getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId));

        let now = 0;
        for (const [i, ev] of scenario.events.entries()) {
          if (ev.atMs > now) {
            await env.sleep(ev.atMs - now);
            now = ev.atMs;
          }
          const received = await deliver(orderId, ev);
          const finishedBefore =
            (expected.decidedBy !== undefined && expected.decidedBy < i) || ev.atMs >= deadlineMs;
          // A match that has not finished receives every event; one that has, may still be closing.
          if (!finishedBefore) expect(received).toBe(true);
        }
        const final = await handle.result();

        expect(final.status).toBe(expected.status);
        expect(final.chosenMenuId).toBe(expected.menuId);
        expect(await confirmOrdersReceived(env.client, orderId)).toEqual(
          expected.status === 'Matched'
            ? [{ orderId, menuId: expected.menuId, eventId: `catering-match-${orderId}:confirm` }]
            : [],
        );
        const alertKinds = { Matched: [], Expired: ['MatchExpired'], NoMenuAgreed: ['NoMenuAgreed'] }[
          expected.status
        ];
        expect(alerts.for(orderId).map((a) => a.kind)).toEqual(alertKinds);
        expect((await handle.describe()).runId).toBe(runId);
        outcomes[expected.status] = (outcomes[expected.status] ?? 0) + 1;
      }),
      // No shrinking: every shrink step re-runs workflows on the server, minutes past the test's timeout; a run
      // that hangs fails on its own with its counterexample.
      { numRuns: 40, timeout: 20_000, endOnFailure: true, ...seed },
    );
    // About a third of the runs match and half expire; none of either would mean a broken generator.
    expect(outcomes.Matched).toBeGreaterThan(0);
    expect(outcomes.Expired).toBeGreaterThan(0);
  });
});
