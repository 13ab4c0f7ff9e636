/**
 * Every patched() id, per workflow: each marks a change of behaviour, so that workflows started before it replay the
 * way they ran, and new ones take every one. An id is never renamed or reused; once no workflow started before it is
 * open, `deprecatePatch` replaces the `patched` call (docs/changing-workflows.md). A run started with an id of its
 * workflow's patch chain (`orderPatchChain`, `matchPatchChain`) records only that marker and takes the patches before
 * the chain without asking (workflows/patch-set.ts). New changes ship by Worker Versioning instead
 * (src/infra/worker-deployment.ts); a patch is for a fix that must reach running orders.
 */

/** Order's. */
export const orderPatches = {
  /** Durations and the retry policy checked with the SDK's own rules at the start of the first run. */
  sdkInputRules: 'order-input-checked-with-sdk-rules',
  /** A ResumeValidation that lands during a re-activated round re-activates at once if that round stalls too. */
  resumeDeferredDuringRound: 'order-resume-deferred-during-round',
  /** The order hands its menus (and their caterers) to its match when it starts: the order is their source. */
  menusToMatch: 'order-hands-menus-to-match',
  /** A validated order waits for ConfirmOrder for `confirmWithin`, then ends `Expired` with an alert. */
  confirmationDeadline: 'order-confirmation-deadline',
  /** A command that is malformed or names another order is refused and recorded instead of applied. */
  commandsChecked: 'order-commands-checked',
  /**
   * Free-text fields of the input and the commands bounded in length (`maxLengths` in src/contract/messages.ts): an order or
   * command longer is refused. Called only for input or a command that is too long and otherwise well-formed.
   */
  lengthBounds: 'order-messages-length-bounded',
  /**
   * An order completes at its outcome (Confirmed, Rejected, Cancelled, Expired), its final state the result. Orders
   * started before it stay open for `retainFor` so that late commands get a recorded answer.
   */
  closesAtOutcome: 'order-closes-at-outcome',
  /**
   * Fewer commands per order, measured by the benchmark: an order started with it records this one patch marker and
   * takes every earlier patched path without asking (`PatchSet`), hands its menus to its match in a local activity
   * (a marker in the first workflow task instead of an activity task and a workflow task), and upserts no search
   * attribute that its start already set. Orders started before it replay as they ran.
   */
  leanStart: 'order-lean-start',
  /**
   * `leanStart`, with the menus handed over by a regular activity again: a local activity holds the order's first
   * workflow task (and with it every update and signal) while it calls the server, and the SDK core fails a local
   * activity whose workflow is evicted before it resolves (seen with a cache of 0; under the soak's churn evictions
   * are constant). An order started with it records this one marker and takes every patch before it without asking;
   * orders started with `leanStart` alone keep their local activity, as they ran.
   */
  offersByActivity: 'order-lean-start-offers-by-activity',
  /**
   * `offersByActivity`, with the menus' hand-over scheduled in the same first workflow task as the card's
   * validation instead of before it: the validation no longer waits for the offer, and the two completions mostly
   * land in one task (issue 17: in the benchmark's burst, a workflow task fewer per order and 23.1 state transitions
   * per order with its match where there were 25). The order still neither closes nor continues as new before the
   * offer is done. An order started with it records this one marker; orders started with an older id of the chain
   * hand over first, as they ran.
   */
  offersBesideValidation: 'order-offers-beside-validation',
  /**
   * A ConfirmOrder that reaches a Validated order at or after its `confirmBy` is refused as too late, and the order
   * expires. The deadline timer fires a little after `confirmBy`, and a command in the same task is handled before
   * it; orders before it applied such a command. Asked with `patched()` only for such a command, so no other run
   * records its marker.
   */
  confirmByBeforeLateCommands: 'order-confirm-by-before-late-commands',
} as const;

/** CateringMatch's. */
export const matchPatches = {
  /**
   * Bounded state and continue-as-new. Matches started before it keep every eventId and never continue as new, so
   * that they replay as they ran.
   */
  boundedState: 'catering-match-bounded-continue-as-new',
  /**
   * A match started by an event waits for its order's offer (the order is the source of its menus) and decides on
   * what it held once the offer comes. Matches started before it learn their menus from events.
   */
  awaitOrderOffer: 'catering-match-awaits-order-offer',
  /**
   * The free-text fields of the input, the events and the offer bounded in length (`maxLengths` in
   * src/contract/messages.ts). Called only for a message too long and otherwise well-formed, which matches started
   * before it took as it came.
   */
  lengthBounds: 'catering-match-messages-length-bounded',
  /**
   * An offer that carries its order's `confirmWithin` sets the match's deadline by it, so a match that an event
   * started (with the default deadline) expires when its order does. Called only for such an offer, which orders sent
   * no earlier match.
   */
  takesOrderDeadline: 'catering-match-takes-order-deadline',
  /**
   * A match started with it records this one patch marker and takes every earlier patched path without asking
   * (`PatchSet`), instead of a marker and a `TemporalChangeVersion` upsert per patch. Matches started before it
   * replay as they ran.
   */
  leanStart: 'catering-match-lean-start',
  /**
   * An event that reaches an open match at or after its deadline finds it expired. The deadline timer fires a little
   * after the deadline (it starts when a task completes), and a signal in the same task is handled before the timer;
   * matches before it applied such an event. Asked with `patched()` only for such an event, so no other run records
   * its marker.
   */
  deadlineBeforeLateEvents: 'catering-match-deadline-before-late-events',
} as const;

/**
 * The patches an order or a match started with an id of its chain takes without asking (`PatchSet`): every one
 * shipped before the chain. A patch added later is not listed here and is asked with
 * `patched()` in the workflow.
 */
export const olderOrderPatches = [
  orderPatches.sdkInputRules,
  orderPatches.resumeDeferredDuringRound,
  orderPatches.menusToMatch,
  orderPatches.confirmationDeadline,
  orderPatches.commandsChecked,
  orderPatches.lengthBounds,
  orderPatches.closesAtOutcome,
] as const;

/** The order's chain, newest first: a run takes its patches from the newest of these it started with. */
export const orderPatchChain = [
  orderPatches.offersBesideValidation,
  orderPatches.offersByActivity,
  orderPatches.leanStart,
] as const;
/** The match's. */
export const matchPatchChain = [matchPatches.leanStart] as const;

export const olderMatchPatches = [
  matchPatches.boundedState,
  matchPatches.awaitOrderOffer,
  matchPatches.lengthBounds,
  matchPatches.takesOrderDeadline,
] as const;
