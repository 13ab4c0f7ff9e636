import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import {
  catererConfirmedMenuSignal,
  catererDeclinedMenuSignal,
  confirmOrderSignal,
  customerConfirmedMenuSignal,
  ErrorType,
  findInputProblem,
  getMatchStateQuery,
  MatchStatusAttribute,
  menusOfferedSignal,
  orderWorkflowId,
} from '../src/contract';
import type { AlertKind, CateringMatchInput, CateringMatchState, MenuEventKind } from '../src/contract';
import {
  applyMenuEvent,
  applyOffer,
  confirmOrderEventId,
  defaultConfirmWithin,
  describeMatch,
  expireMatch,
  isOpen,
  matchLimits,
  recordConfirmOrderSent,
  recordOrderNotFound,
  startMatch,
  unboundedMatchLimits,
} from './catering-match-state';
import { raiseAlert } from './alerts';
import { workflowMetrics } from './metrics';
import { PatchSet } from './patch-set';
import { matchPatchChain, matchPatches, olderMatchPatches } from './patches';

/** What continue-as-new hands to the next run besides the input. */
export interface CateringMatchCarried {
  state: CateringMatchState;
}

// How the SDK reports SignalExternalWorkflowExecutionFailedCause EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND: the
// target never existed or has closed (completed, failed, terminated).
const isTargetNotFound = (err: unknown): boolean =>
  err instanceof ApplicationFailure && err.type === 'ExternalWorkflowExecutionNotFound';

/** The CateringMatch process manager: correlates menu confirmations for one order and sends ConfirmOrder once. */
export async function CateringMatch(
  input: CateringMatchInput,
  carried?: CateringMatchCarried,
): Promise<CateringMatchState> {
  const patches = new PatchSet(matchPatchChain, olderMatchPatches);
  const lengthBounded = (): boolean => patches.has(matchPatches.lengthBounds);
  const problem = findInputProblem(input, lengthBounded);
  if (problem !== undefined) {
    throw ApplicationFailure.create({
      type: ErrorType.InvalidMatch,
      message: `invalid CateringMatch input: ${problem.message}`,
      nonRetryable: true,
      details: [{ field: problem.field }],
    });
  }
  const { orderId } = input;
  const confirmWithinMs = msToNumber(input.confirmWithin ?? defaultConfirmWithin);
  const bounded = patches.has(matchPatches.boundedState);
  const limits = { ...(bounded ? matchLimits : unboundedMatchLimits), lengthBounded };
  // A continued run keeps its deadline, its menus, the eventIds it has seen and whether it awaits the offer.
  let state =
    carried?.state ??
    startMatch(input, new Date(), { awaitOffer: patches.has(matchPatches.awaitOrderOffer) });
  let publishedStatus: string | undefined;

  const publish = (): void => {
    setCurrentDetails(describeMatch(state));
    if (publishedStatus === state.status) return;
    upsertSearchAttributes([{ key: MatchStatusAttribute, value: state.status }]);
    publishedStatus = state.status;
  };

  const onEvent =
    (kind: MenuEventKind) =>
    (event: unknown): void => {
      const now = new Date();
      if (
        isOpen(state) &&
        now.getTime() >= Date.parse(state.deadline) &&
        patched(matchPatches.deadlineBeforeLateEvents)
      ) {
        state = expireMatch(state, now);
        publish();
      }
      const before = state;
      state = applyMenuEvent(state, kind, event, now, limits);
      const attributes = { orderId, kind, status: state.status };
      if (state.rejectedEventCount > before.rejectedEventCount) {
        log.info('CateringMatch rejected a malformed event', {
          ...attributes,
          ...state.rejectedEvents.at(-1),
        });
      } else if (state.ignoredEventCount > before.ignoredEventCount) {
        log.info('CateringMatch ignored an event', { ...attributes, ...state.ignoredEvents.at(-1) });
      } else {
        log.info('CateringMatch applied an event', {
          ...attributes,
          eventId: state.processedEventIds.at(-1),
        });
      }
      if (state.status !== before.status) publish();
      else setCurrentDetails(describeMatch(state));
    };
  setHandler(customerConfirmedMenuSignal, onEvent('CustomerConfirmedMenu'));
  setHandler(catererConfirmedMenuSignal, onEvent('CatererConfirmedMenu'));
  setHandler(catererDeclinedMenuSignal, onEvent('CatererDeclinedMenu'));
  setHandler(menusOfferedSignal, (offer) => {
    const before = state;
    state = applyOffer(state, offer, new Date(), limits);
    const orderDeadline = (offer as { confirmWithin?: Duration } | null)?.confirmWithin;
    if (
      bounded &&
      isOpen(state) &&
      state.rejectedEventCount === before.rejectedEventCount &&
      orderDeadline !== undefined &&
      patches.has(matchPatches.takesOrderDeadline)
    )
      state = {
        ...state,
        deadline: new Date(Date.parse(state.startedAt) + msToNumber(orderDeadline)).toISOString(),
      };
    log.info("CateringMatch received its order's offer", {
      orderId,
      menus: state.menus.map((m) => `${m.menuId}:${m.catererId ?? '?'}`),
      status: state.status,
      ignoredEventCount: state.ignoredEventCount - before.ignoredEventCount,
    });
    if (state.status !== before.status) publish();
    else setCurrentDetails(describeMatch(state));
  });
  setHandler(getMatchStateQuery, () => state);

  publish();
  log.info(carried ? 'CateringMatch continued as new' : 'CateringMatch started', {
    orderId,
    menus: state.menus.map((m) => m.menuId),
    menusOffered: state.menusOffered,
    deadline: state.deadline,
  });

  const mustContinueAsNew = (): boolean => {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      (input.maxHistoryEvents !== undefined && info.historyLength >= input.maxHistoryEvents)
    );
  };

  if (!bounded) {
    const decided = await condition(() => !isOpen(state), confirmWithinMs);
    if (!decided) {
      state = expireMatch(state, new Date());
      publish();
    }
  }
  while (bounded && isOpen(state)) {
    const left = Date.parse(state.deadline) - Date.now();
    if (!(left > 0)) {
      state = expireMatch(state, new Date());
      publish();
      break;
    }
    if (mustContinueAsNew()) {
      // Handlers are synchronous today; waiting keeps a future async one from being cut off. The server refuses
      // the continue-as-new if a signal came in meanwhile, and this task runs again with it.
      await condition(allHandlersFinished);
      if (!isOpen(state)) break;
      return continueAsNew<typeof CateringMatch>(input, { state });
    }
    // A deadline taken from the order's offer ends this wait too, so the loop times the new one.
    const deadline = state.deadline;
    await condition(() => !isOpen(state) || mustContinueAsNew() || state.deadline !== deadline, left);
  }

  switch (state.status) {
    case 'Matched':
      await sendConfirmOrder();
      break;
    case 'Expired':
      await alert('MatchExpired', 'match-expired');
      break;
    case 'NoMenuAgreed':
      await alert('NoMenuAgreed', 'no-menu-agreed');
      break;
    default:
      break;
  }
  workflowMetrics.matchFinished(state.status);
  log.info('CateringMatch finished', {
    orderId,
    status: state.status,
    chosenMenuId: state.chosenMenuId,
    ignoredEventCount: state.ignoredEventCount,
  });
  return state;

  async function sendConfirmOrder(): Promise<void> {
    const menuId = state.chosenMenuId!;
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
      state = recordOrderNotFound(
        state,
        `ConfirmOrder for menu ${menuId} could not be delivered: no open workflow ${orderWorkflowId(orderId)}`,
        new Date(),
      );
      publish();
      log.warn('CateringMatch found no order to confirm', { orderId, menuId });
      await alert('OrderNotFound', 'order-not-found');
      return;
    }
    state = recordConfirmOrderSent(state, eventId, new Date());
    publish();
    const agreed = state.menus.find((menu) => menu.menuId === menuId);
    const lastConfirmationAt = [agreed?.customerConfirmedAt, agreed?.catererAnsweredAt]
      .filter((at) => at !== undefined)
      .sort()
      .at(-1);
    if (lastConfirmationAt && state.confirmOrder)
      workflowMetrics.confirmOrderSent(lastConfirmationAt, state.confirmOrder.sentAt);
    log.info('CateringMatch sent ConfirmOrder', { orderId, menuId, eventId });
  }

  async function alert(kind: AlertKind, suffix: string): Promise<void> {
    await raiseAlert({
      alertId: `${orderId}:${suffix}`,
      kind,
      orderId,
      message: `Catering match for order ${orderId}: ${describeMatch(state)}`,
    });
  }
}
