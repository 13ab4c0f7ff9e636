import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createAlertActivities } from '../activities/alerts';
import { ErrorType, MatchStatusAttribute, orderWorkflowId } from '../src/shared';
import type {
  AlertKind,
  CatererConfirmedMenu,
  CatererDeclinedMenu,
  CateringMatchInput,
  CustomerConfirmedMenu,
} from '../src/shared';
import {
  applyMenuEvent,
  confirmOrderEventId,
  defaultConfirmWithin,
  describeMatch,
  durationToMs,
  expireMatch,
  findInputProblem,
  isOpen,
  recordConfirmOrderSent,
  recordOrderNotFound,
  startMatch,
} from './catering-match-state';
import type { CateringMatchState, MenuEventKind } from './catering-match-state';
import { confirmOrderSignal } from './order';

export type { CateringMatchState, MenuMatchState, SetAsideEvent } from './catering-match-state';

export const customerConfirmedMenuSignal = defineSignal<[CustomerConfirmedMenu]>('CustomerConfirmedMenu');
export const catererConfirmedMenuSignal = defineSignal<[CatererConfirmedMenu]>('CatererConfirmedMenu');
export const catererDeclinedMenuSignal = defineSignal<[CatererDeclinedMenu]>('CatererDeclinedMenu');
export const getMatchStateQuery = defineQuery<CateringMatchState>('getState');

const { raiseAlert } = proxyActivities<ReturnType<typeof createAlertActivities>>({
  startToCloseTimeout: '30 seconds',
  // raiseAlert is idempotent by alertId, so retrying until it lands is safe; an alert is never dropped.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

// How the SDK reports SignalExternalWorkflowExecutionFailedCause EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND: the
// target never existed or has closed (completed, failed, terminated).
const isTargetNotFound = (err: unknown): boolean =>
  err instanceof ApplicationFailure && err.type === 'ExternalWorkflowExecutionNotFound';

/** The CateringMatch process manager: correlates menu confirmations for one order and sends ConfirmOrder once. */
export async function CateringMatch(input: CateringMatchInput): Promise<CateringMatchState> {
  const problem = findInputProblem(input);
  if (problem !== undefined) {
    throw ApplicationFailure.create({
      type: ErrorType.InvalidMatch,
      message: `invalid CateringMatch input: ${problem.message}`,
      nonRetryable: true,
      details: [{ field: problem.field }],
    });
  }
  const { orderId } = input;
  const confirmWithinMs = durationToMs(input.confirmWithin ?? defaultConfirmWithin)!;
  let state = startMatch(input, new Date());
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
      const before = state;
      state = applyMenuEvent(state, kind, event, new Date());
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
  setHandler(getMatchStateQuery, () => state);

  publish();
  log.info('CateringMatch started', {
    orderId,
    menus: state.menus.map((m) => m.menuId),
    menusOffered: state.menusOffered,
    deadline: state.deadline,
  });

  const decided = await condition(() => !isOpen(state), confirmWithinMs);
  if (!decided) {
    state = expireMatch(state, new Date());
    publish();
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
