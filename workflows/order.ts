import { continueAsNew, condition, log } from '@temporalio/workflow';
import type { OrderCarriedState, OrderState, OrderSubmitted } from '../src/contract';
import { checkOrderSubmitted, effectiveOrderSettings } from '../src/contract/order-input';
import { workflowMetrics } from './metrics';
import { invalidOrder, OrderRun } from './order-run';
import { isFinal } from './order-state';
import { PatchSet } from './patch-set';
import { olderOrderPatches, orderPatchChain, orderPatches } from './patches';

/**
 * The OrderProcessor of the reference: one workflow per order, from submission to a final status. What each step
 * and each command does is `OrderRun` (order-run.ts); the pure rules are order-state.ts.
 */
export async function Order(input: OrderSubmitted, carried?: OrderCarriedState): Promise<OrderState> {
  const patches = new PatchSet(orderPatchChain, olderOrderPatches);
  // A continued run's input was checked by its first run; re-checking it with today's rules could fail an order
  // that has been running for weeks.
  const order = carried ? input : checkFirstRunInput(input, patches);
  const run = new OrderRun(order, carried?.settings ?? effectiveOrderSettings(order), patches, carried);
  const { state } = run;

  if (carried) log.info('order continued as new', { orderId: state.orderId, run: state.run });
  else workflowMetrics.orderSubmitted();
  run.publish();
  // Orders started before this hand nothing to their match, which learns menus from events as it always did.
  if (!carried && patches.has(orderPatches.menusToMatch)) await run.handOverMenus();

  while (!isFinal(state.status)) {
    if (run.mustContinueAsNew()) return continueAsNewAfterHandlers(run, order);
    switch (state.status) {
      case 'Pending':
        await run.validate();
        break;
      case 'ValidationStalled':
        if (await run.waitForReactivation()) await run.validate();
        break;
      case 'Validated':
        if (state.pendingConfirmation) await run.confirm();
        else await run.awaitConfirmation();
        break;
    }
  }

  // The order closes at its outcome, with its final state as its result: a late command gets "order X is Confirmed"
  // from the client and `getState` reads the result, with no open workflow and no timer for a day per order.
  if (patches.has(orderPatches.closesAtOutcome)) {
    delete state.retainUntil;
    await run.handlersFinished();
    return state;
  }
  // Orders started before that keep answering late commands for `retainFor`, as they always did.
  for (;;) {
    const left = Date.parse(state.retainUntil ?? '') - Date.now();
    if (!(left > 0)) break;
    if (run.mustContinueAsNew()) return continueAsNewAfterHandlers(run, order);
    await condition(() => run.mustContinueAsNew(), left);
  }
  await run.handlersFinished();
  return state;
}

/** Continue-as-new once every update and signal handler has returned, so that no caller loses its answer. */
async function continueAsNewAfterHandlers(run: OrderRun, order: OrderSubmitted): Promise<never> {
  await run.handlersFinished();
  return continueAsNew<typeof Order>(order, run.carried());
}

/**
 * The first run's check of its input. Orders that started before durations and retry policies were checked with the
 * SDK's rules are held to the rules they started with when they replay, so no running order is failed by the
 * stricter check.
 */
function checkFirstRunInput(input: unknown, patches: PatchSet): OrderSubmitted {
  let checked = checkOrderSubmitted(input);
  if (!checked.ok) {
    // Too long and nothing else: an order started before the bounds was accepted so, and replays so.
    const unbounded = checkOrderSubmitted(input, { lengthBounds: false });
    if (unbounded.ok && !patches.has(orderPatches.lengthBounds)) checked = unbounded;
  }
  // Reached only replaying an order from before both the SDK's rules and the bounds.
  if (!checked.ok && !patches.has(orderPatches.sdkInputRules))
    checked = checkOrderSubmitted(input, { lenientTiming: true, lengthBounds: false });
  if (!checked.ok) throw invalidOrder(checked.problems);
  return checked.order;
}
