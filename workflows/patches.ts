/**
 * Every patched() id, per workflow: each marks a change of behaviour, so that workflows started before it replay the
 * way they ran, and new ones take every one. An id is never renamed or reused; once no workflow started before it is
 * open, `deprecatePatch` replaces the `patched` call (docs/changing-workflows.md). New changes ship by Worker
 * Versioning instead (src/infra/worker-deployment.ts); a patch is for a fix that must reach running orders.
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
} as const;
