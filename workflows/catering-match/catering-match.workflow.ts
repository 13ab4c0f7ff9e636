import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  catererConfirmedMenuSignal,
  catererDeclinedMenuSignal,
  customerConfirmedMenuSignal,
  getMatchStateQuery,
  menusOfferedSignal,
} from '../../src/contract/catering-match-definitions';
import { findInputProblem } from '../../src/contract/catering-match-checks';
import { ErrorType } from '../../src/contract/errors';
import { MatchStatusAttribute, orderWorkflowId } from '../../src/contract/names';
import { confirmOrderSignal } from '../../src/contract/order-definitions';
import type { AlertKind, CateringMatchInput, CateringMatchState, MenuEventKind } from '../../src/contract';
import { raiseAlert } from '../alerts';
import { workflowMetrics } from '../metrics';
import { applyMenuEvent } from './match-events';
import { applyOffer } from './match-offer-rules';
import {
  confirmOrderEventId,
  describeMatch,
  expireMatch,
  isOpen,
  isPastDeadline,
  recordConfirmOrderSent,
  recordOrderNotFound,
  startMatch,
} from './match-rules';

/** What continue-as-new hands to the next run besides the input. */
export interface CateringMatchCarried {
  state: CateringMatchState;
}

/**
 * The CateringMatch process manager: holds the menu confirmations for one order until a menu has both, then sends
 * that order ConfirmOrder once; or gives up at its deadline, or when every menu on offer is declined.
 */
export async function CateringMatch(
  input: CateringMatchInput,
  carried?: CateringMatchCarried,
): Promise<CateringMatchState> {
  const problem = findInputProblem(input);
  if (problem !== undefined) {
    throw ApplicationFailure.create({
      type: ErrorType.InvalidMatch,
      message: `invalid CateringMatch input: ${problem.message}`,
      nonRetryable: true,
      details: [{ field: problem.field }],
    });
  }
  // A continued run keeps its deadline, its menus, the eventIds it has seen and whether it awaits the offer.
  const match = new MatchRun(carried?.state ?? startMatch(input, new Date()));
  match.listen();
  log.info(carried ? 'CateringMatch continued as new' : 'CateringMatch started', {
    orderId: input.orderId,
    menus: match.state.menus.map((m) => m.menuId),
    menusOffered: match.state.menusOffered,
    deadline: match.state.deadline,
  });

  const decided = await match.waitForDecision(input.maxHistoryEvents);
  if (!decided) {
    await condition(allHandlersFinished);
    if (isOpen(match.state)) return continueAsNew<typeof CateringMatch>(input, { state: match.state });
  }
  await actOnOutcome(match);
  return match.state;
}

/** One run of a match: its state, what it publishes, and what it does once decided. */
class MatchRun {
  private publishedStatus: string | undefined;

  constructor(public state: CateringMatchState) {}

  private get orderId(): string {
    return this.state.orderId;
  }

  /** The Web UI's current details on every change; the `MatchStatus` search attribute when the status changes. */
  private publish(): void {
    setCurrentDetails(describeMatch(this.state));
    if (this.publishedStatus === this.state.status) return;
    upsertSearchAttributes([{ key: MatchStatusAttribute, value: this.state.status }]);
    this.publishedStatus = this.state.status;
  }

  /** A new state from outside the handlers, published at once. */
  update(state: CateringMatchState): void {
    this.state = state;
    this.publish();
  }

  listen(): void {
    setHandler(customerConfirmedMenuSignal, (event) => this.onEvent('CustomerConfirmedMenu', event));
    setHandler(catererConfirmedMenuSignal, (event) => this.onEvent('CatererConfirmedMenu', event));
    setHandler(catererDeclinedMenuSignal, (event) => this.onEvent('CatererDeclinedMenu', event));
    setHandler(menusOfferedSignal, (offer) => this.onOffer(offer));
    setHandler(getMatchStateQuery, () => this.state);
    this.publish();
  }

  private onEvent(kind: MenuEventKind, event: unknown): void {
    const now = new Date();
    // An event in the task where the deadline timer fires is past the deadline: it finds the match expired.
    if (isPastDeadline(this.state, now)) {
      this.state = expireMatch(this.state, now);
      this.publish();
    }
    const before = this.state;
    this.state = applyMenuEvent(before, kind, event, now);
    const attributes = { orderId: this.orderId, kind, status: this.state.status };
    if (this.state.rejectedEventCount > before.rejectedEventCount)
      log.info('CateringMatch rejected a malformed event', {
        ...attributes,
        ...this.state.rejectedEvents.at(-1),
      });
    else if (this.state.ignoredEventCount > before.ignoredEventCount)
      log.info('CateringMatch ignored an event', { ...attributes, ...this.state.ignoredEvents.at(-1) });
    else
      log.info('CateringMatch applied an event', {
        ...attributes,
        eventId: this.state.processedEventIds.at(-1),
      });
    this.publishIfChanged(before);
  }

  private onOffer(offer: unknown): void {
    const before = this.state;
    this.state = applyOffer(before, offer, new Date());
    log.info("CateringMatch received its order's offer", {
      orderId: this.orderId,
      menus: this.state.menus.map((m) => `${m.menuId}:${m.catererId ?? '?'}`),
      status: this.state.status,
      ignoredEventCount: this.state.ignoredEventCount - before.ignoredEventCount,
    });
    this.publishIfChanged(before);
  }

  private publishIfChanged(before: CateringMatchState): void {
    if (this.state.status !== before.status) this.publish();
    else setCurrentDetails(describeMatch(this.state));
  }

  /**
   * Waits until the match is decided (true) or its history should continue as new (false), expiring it at its
   * deadline. An offer that moves the deadline ends the wait too, so the next one times the new deadline.
   */
  async waitForDecision(maxHistoryEvents: number | undefined): Promise<boolean> {
    const mustContinueAsNew = (): boolean => {
      const info = workflowInfo();
      return (
        info.continueAsNewSuggested ||
        (maxHistoryEvents !== undefined && info.historyLength >= maxHistoryEvents)
      );
    };
    while (isOpen(this.state)) {
      const left = Date.parse(this.state.deadline) - Date.now();
      if (!(left > 0)) {
        this.state = expireMatch(this.state, new Date());
        this.publish();
        break;
      }
      if (mustContinueAsNew()) return false;
      const deadline = this.state.deadline;
      await condition(
        () => !isOpen(this.state) || mustContinueAsNew() || this.state.deadline !== deadline,
        left,
      );
    }
    return true;
  }
}

/** What a decided match does: ConfirmOrder to its order when matched, an alert otherwise. */
async function actOnOutcome(match: MatchRun): Promise<void> {
  switch (match.state.status) {
    case 'Matched':
      await sendConfirmOrder(match);
      break;
    case 'Expired':
      await alert(match, 'MatchExpired', 'match-expired');
      break;
    case 'NoMenuAgreed':
      await alert(match, 'NoMenuAgreed', 'no-menu-agreed');
      break;
    default:
      break;
  }
  workflowMetrics.matchFinished(match.state.status);
  log.info('CateringMatch finished', {
    orderId: match.state.orderId,
    status: match.state.status,
    chosenMenuId: match.state.chosenMenuId,
    ignoredEventCount: match.state.ignoredEventCount,
  });
}

async function sendConfirmOrder(match: MatchRun): Promise<void> {
  const { orderId } = match.state;
  const menuId = match.state.chosenMenuId!;
  const eventId = confirmOrderEventId(orderId);
  try {
    // A SignalExternalWorkflowExecution command: recorded in history, so a replay never sends it again.
    await getExternalWorkflowHandle(orderWorkflowId(orderId)).signal(confirmOrderSignal, {
      orderId,
      menuId,
      eventId,
    });
  } catch (err) {
    if (!isTargetNotFound(err)) throw err;
    const why = `ConfirmOrder for menu ${menuId} could not be delivered: no open workflow ${orderWorkflowId(orderId)}`;
    match.update(recordOrderNotFound(match.state, why, new Date()));
    log.warn('CateringMatch found no order to confirm', { orderId, menuId });
    await alert(match, 'OrderNotFound', 'order-not-found');
    return;
  }
  match.update(recordConfirmOrderSent(match.state, eventId, new Date()));
  const agreed = match.state.menus.find((menu) => menu.menuId === menuId);
  const lastConfirmationAt = [agreed?.customerConfirmedAt, agreed?.catererAnsweredAt]
    .filter((at) => at !== undefined)
    .sort()
    .at(-1);
  if (lastConfirmationAt && match.state.confirmOrder)
    workflowMetrics.confirmOrderSent(lastConfirmationAt, match.state.confirmOrder.sentAt);
  log.info('CateringMatch sent ConfirmOrder', { orderId, menuId, eventId });
}

async function alert(match: MatchRun, kind: AlertKind, suffix: string): Promise<void> {
  const { orderId } = match.state;
  await raiseAlert({
    alertId: `${orderId}:${suffix}`,
    kind,
    orderId,
    message: `Catering match for order ${orderId}: ${describeMatch(match.state)}`,
  });
}

// How the SDK reports SignalExternalWorkflowExecutionFailedCause EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND: the
// target never existed or has closed (completed, failed, terminated).
const isTargetNotFound = (err: unknown): boolean =>
  err instanceof ApplicationFailure && err.type === 'ExternalWorkflowExecutionNotFound';
