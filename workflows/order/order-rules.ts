/**
 * The Order's state as `getState` shows it, and the pure rules for what a command does to it. Kept apart from the
 * workflow so the rules read (and test) without a server. No card data in here: state is visible to anyone who
 * can query.
 */
import type {
  CancelOrder,
  ConfirmOrder,
  OrderState,
  OrderSubmitted,
  Refusal,
  StallEpisode,
} from '../../src/contract';

// State is carried across continue-as-new; a client that keeps sending refused commands must not grow it forever.
export const maxRefusalsKept = 50;

export function initialOrderState(order: OrderSubmitted, at: string): OrderState {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    amount: order.amount,
    currency: order.currency,
    menus: order.menus ?? [],
    status: 'Pending',
    submittedAt: at,
    validation: { outcome: 'Pending', rounds: 0 },
    stallEpisodes: [],
    refusals: [],
    refusalsTotal: 0,
    transitions: [{ status: 'Pending', at, note: 'order stored' }],
    run: 1,
  };
}

export const openEpisode = (state: OrderState): StallEpisode | undefined => {
  const last = state.stallEpisodes[state.stallEpisodes.length - 1];
  return last && last.endedAt === undefined ? last : undefined;
};

export type Decision =
  { kind: 'accept' } | { kind: 'duplicate'; why: string } | { kind: 'refuse'; reason: string };

const terminalReason = (state: OrderState): string | undefined => {
  switch (state.status) {
    case 'Rejected':
      return `order is rejected: ${state.validation.reason ?? 'card declined'}`;
    case 'Cancelled':
      return `order is cancelled${state.cancellation?.reason ? `: ${state.cancellation.reason}` : ''}`;
    case 'Confirmed':
      return `order is already confirmed with menu ${state.confirmation?.menuId ?? '?'}`;
    case 'Expired':
      return `order expired: no ConfirmOrder by ${state.confirmBy ?? 'its deadline'}`;
    default:
      return undefined;
  }
};

/** Before validation a confirmation is kept, after it applied; only one menu is ever confirmed. */
export function decideConfirm(state: OrderState, command: ConfirmOrder): Decision {
  const same = (held: { menuId: string } | undefined) => held?.menuId === command.menuId;
  if (state.status === 'Confirmed' && same(state.confirmation)) {
    return { kind: 'duplicate', why: `already confirmed with menu ${command.menuId}` };
  }
  const terminal = terminalReason(state);
  if (terminal) return { kind: 'refuse', reason: terminal };
  if (state.menus.length && !state.menus.some((m) => m.menuId === command.menuId)) {
    const offered = state.menus.map((m) => m.menuId).join(', ');
    return { kind: 'refuse', reason: `menu ${command.menuId} is not on offer for this order (${offered})` };
  }
  if (state.pendingConfirmation) {
    return same(state.pendingConfirmation)
      ? { kind: 'duplicate', why: `confirmation for menu ${command.menuId} already pending` }
      : {
          kind: 'refuse',
          reason: `a confirmation for menu ${state.pendingConfirmation.menuId} is already pending`,
        };
  }
  return { kind: 'accept' };
}

export function decideCancel(state: OrderState, _command: CancelOrder): Decision {
  if (state.status === 'Cancelled')
    return { kind: 'refuse', reason: terminalReason(state) ?? 'order is cancelled' };
  const terminal = terminalReason(state);
  return terminal
    ? { kind: 'refuse', reason: `${terminal}; it can no longer be cancelled` }
    : { kind: 'accept' };
}

export function decideResume(state: OrderState): Decision {
  const terminal = terminalReason(state);
  if (terminal) return { kind: 'refuse', reason: `${terminal}; there is no validation to resume` };
  return state.status === 'ValidationStalled'
    ? { kind: 'accept' }
    : { kind: 'duplicate', why: `validation is not stalled (status ${state.status})` };
}

/** Records a refusal unless the same command (by eventId) was already refused: a redelivery changes nothing. */
export function recordRefusal(state: OrderState, refusal: Refusal): boolean {
  const seen =
    refusal.eventId !== undefined &&
    state.refusals.some((r) => r.command === refusal.command && r.eventId === refusal.eventId);
  if (seen) return false;
  state.refusals.push(refusal);
  state.refusalsTotal += 1;
  if (state.refusals.length > maxRefusalsKept)
    state.refusals.splice(0, state.refusals.length - maxRefusalsKept);
  return true;
}

const money = (state: OrderState): string => `${state.amount.toFixed(2)} ${state.currency}`;

/** The one line the Web UI shows as the workflow's current details. */
export function statusLine(state: OrderState): string {
  const head = `${state.status} · ${money(state)} · customer ${state.customerId}`;
  switch (state.status) {
    case 'Pending':
      return `${head} · validating card (round ${state.validation.rounds})`;
    case 'ValidationStalled': {
      if (state.validation.unusablePolicy) return `${head} · ${state.validation.unusablePolicy}`;
      const episode = openEpisode(state);
      const next = state.validation.nextReactivationAt;
      return `${head} · validator not answering (episode ${episode?.episode ?? '?'})${next ? ` · retry at ${next}` : ''}`;
    }
    case 'Validated':
      return `${head} · card validated, waiting for ConfirmOrder${state.confirmBy ? ` until ${state.confirmBy}` : ''}`;
    case 'Confirmed':
      return `${head} · menu ${state.confirmation?.menuId ?? '?'}`;
    case 'Rejected':
      return `${head} · ${state.validation.reason ?? 'card declined'}`;
    case 'Cancelled':
      return `${head}${state.cancellation?.reason ? ` · ${state.cancellation.reason}` : ''}`;
    case 'Expired':
      return `${head} · no ConfirmOrder by ${state.confirmBy ?? '?'}`;
  }
}
