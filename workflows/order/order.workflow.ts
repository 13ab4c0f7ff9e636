import { condition, continueAsNew, log, proxyActivities } from '@temporalio/workflow';
import type { createMatchOfferActivities } from '../../activities/match-offer';
import type { createOrderNotificationActivities } from '../../activities/order-notifications';
import type { OrderCarriedState, OrderState, OrderSubmitted } from '../../src/contract';
import { checkOrderSubmitted, effectiveOrderSettings } from '../../src/contract/order-input';
import { isFinalOrderStatus } from '../../src/contract/order';
import { raiseAlert } from '../alerts';
import { workflowMetrics } from '../metrics';
import { registerOrderHandlers } from './order-commands';
import {
  carriedOf,
  handlersFinished,
  moveTo,
  mustContinueAsNew,
  now,
  publish,
  startProgress,
} from './order-progress';
import type { OrderProgress } from './order-progress';
import { invalidOrder, validate, waitForReactivation } from './order-validation';

// Retried without limit: the notice is idempotent by orderId, and a confirmed order must be announced.
const { publishOrderConfirmed } = proxyActivities<ReturnType<typeof createOrderNotificationActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

// Retried without limit: an order must not go on without its match knowing the menus, and the offer is idempotent.
const { offerMenusToMatch } = proxyActivities<ReturnType<typeof createMatchOfferActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '1 minute' },
});

/**
 * The OrderProcessor: one workflow per order, from submission to its outcome. It validates the card (retries,
 * escalation, re-activation), waits for a ConfirmOrder until its deadline, and closes with its final state as its
 * result. Commands are handled by order-commands.ts, the rules they follow are order-rules.ts.
 */
export async function Order(input: OrderSubmitted, carried?: OrderCarriedState): Promise<OrderState> {
  // A continued run's input was checked by its first run.
  const order = carried ? input : checkInput(input);
  const run = startProgress(order, carried?.settings ?? effectiveOrderSettings(order), carried);
  registerOrderHandlers(run);
  const { state } = run;

  if (carried) log.info('order continued as new', { orderId: state.orderId, run: state.run });
  else workflowMetrics.orderSubmitted();
  publish(state);
  if (!carried) offerMenus(run);

  while (!isFinalOrderStatus(state.status)) {
    if (mustContinueAsNew(run)) {
      await handlersFinished(run);
      return continueAsNew<typeof Order>(order, carriedOf(run));
    }
    switch (state.status) {
      case 'Pending':
        await validate(run);
        break;
      case 'ValidationStalled':
        if (await waitForReactivation(run)) await validate(run);
        break;
      case 'Validated':
        if (state.pendingConfirmation) await confirm(run);
        else await awaitConfirmation(run);
        break;
    }
  }
  // A late command gets "order X is Confirmed and closed" from the client, and getState reads this result.
  await handlersFinished(run);
  return state;
}

function checkInput(input: unknown): OrderSubmitted {
  const checked = checkOrderSubmitted(input);
  if (!checked.ok) throw invalidOrder(checked.problems);
  return checked.order;
}

/**
 * Makes sure `catering-match-<orderId>` knows this order's menus, their caterers and its deadline: the activity
 * signals-with-start the match, so a running match gets the offer and a missing one starts with it. Scheduled beside
 * the first validation round, not before it; `handlersFinished` waits for it before the order closes.
 */
function offerMenus(run: OrderProgress): void {
  const { orderId, menus } = run.order;
  const offer = menus?.length ? { orderId, menus } : { orderId };
  run.offering = offerMenusToMatch({ offer, confirmWithin: run.settings.confirmWithin }).then((how) => {
    run.state.matchOffer = { at: now(), how };
  });
  // Handled here so that a cancelled offer is no unhandled rejection before `handlersFinished` awaits it.
  run.offering.catch(() => undefined);
}

/** A validated order waits for ConfirmOrder until its deadline and expires after it. */
async function awaitConfirmation(run: OrderProgress): Promise<void> {
  const { state } = run;
  const woken = () =>
    state.pendingConfirmation !== undefined || state.status !== 'Validated' || mustContinueAsNew(run);
  const left = Date.parse(state.confirmBy ?? '') - Date.now();
  if (left > 0 && (await condition(woken, left))) return;
  moveTo(state, 'Expired', `no ConfirmOrder by ${state.confirmBy}`);
  await raiseAlert({
    alertId: `${state.orderId}:order-expired`,
    kind: 'OrderExpired',
    orderId: state.orderId,
    message: `order ${state.orderId} was validated but no menu was confirmed by ${state.confirmBy} (confirmWithin ${String(run.settings.confirmWithin)}); it has expired`,
  });
}

/** Applies the ConfirmOrder kept while validating, and announces the confirmed order. */
async function confirm({ state }: OrderProgress): Promise<void> {
  const pending = state.pendingConfirmation;
  if (!pending) return;
  state.pendingConfirmation = undefined;
  const confirmation: NonNullable<OrderState['confirmation']> = {
    menuId: pending.menuId,
    confirmedAt: now(),
    published: false,
  };
  if (pending.eventId !== undefined) confirmation.eventId = pending.eventId;
  state.confirmation = confirmation;
  moveTo(state, 'Confirmed', `menu ${pending.menuId}`);
  await publishOrderConfirmed({
    orderId: state.orderId,
    menuId: pending.menuId,
    customerId: state.customerId,
    amount: state.amount,
    currency: state.currency,
  });
  confirmation.published = true;
}
