/**
 * The Order's rules as pure functions, without a server: what an order in each status does with a command, and
 * what makes a resubmission the same order rather than a conflict.
 */
import { isSameOrder } from '../src/contract/order-input';
import { effectiveOrderSettings } from '../src/contract/order-input';
import type { OrderState, OrderSubmitted } from '../src/contract';
import {
  decideCancel,
  decideConfirm,
  decideResume,
  initialOrderState,
  recordRefusal,
} from '../workflows/order/order-rules';

const order: OrderSubmitted = {
  orderId: 'o-1',
  customerId: 'c-1',
  amount: 120,
  currency: 'EUR',
  card: { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' },
  menus: [
    { menuId: 'A', catererId: 'cat-anna' },
    { menuId: 'B', catererId: 'cat-ben' },
  ],
};

function expiredOrder(): OrderState {
  const state = initialOrderState(order, '2026-01-01T00:00:00.000Z');
  state.validation.outcome = 'Validated';
  state.confirmBy = '2026-01-08T00:00:00.000Z';
  state.status = 'Expired';
  return state;
}

describe('an Expired order', () => {
  test('when a ConfirmOrder comes, then it is refused (not kept as pending), and the refusal is recorded', () => {
    const state = expiredOrder();
    const decision = decideConfirm(state, { orderId: order.orderId, menuId: 'A', eventId: 'late-1' });
    expect(decision).toEqual({
      kind: 'refuse',
      reason: 'order expired: no ConfirmOrder by 2026-01-08T00:00:00.000Z',
    });
    const at = '2026-01-09T00:00:00.000Z';
    const reason = decision.kind === 'refuse' ? decision.reason : '';
    expect(
      recordRefusal(state, { command: 'ConfirmOrder', reason, at, menuId: 'A', eventId: 'late-1' }),
    ).toBe(true);
    // The same command redelivered is not recorded twice.
    expect(
      recordRefusal(state, { command: 'ConfirmOrder', reason, at, menuId: 'A', eventId: 'late-1' }),
    ).toBe(false);
    // The refusal names the command it answers, and nothing else of the order moves: it stays Expired.
    expect(state).toEqual({
      ...expiredOrder(),
      refusalsTotal: 1,
      refusals: [{ command: 'ConfirmOrder', reason, at, menuId: 'A', eventId: 'late-1' }],
    });
  });

  test('when a CancelOrder comes, then it is refused: an Expired order never becomes Cancelled', () => {
    expect(decideCancel(expiredOrder(), { orderId: order.orderId, reason: 'too late' })).toEqual({
      kind: 'refuse',
      reason: 'order expired: no ConfirmOrder by 2026-01-08T00:00:00.000Z; it can no longer be cancelled',
    });
  });

  test('when a ResumeValidation comes, then it is refused: there is nothing to resume', () => {
    expect(decideResume(expiredOrder())).toEqual({
      kind: 'refuse',
      reason: 'order expired: no ConfirmOrder by 2026-01-08T00:00:00.000Z; there is no validation to resume',
    });
  });
});

/**
 * A command that reaches an order at its outcome before it has closed (a Confirmed order announcing itself, or in the
 * same task) is answered by these rules; once closed, the client says so.
 */
describe('a late command to an order at its outcome', () => {
  const finished = (status: 'Rejected' | 'Cancelled' | 'Confirmed'): OrderState => {
    const state = initialOrderState(order, '2026-01-01T00:00:00.000Z');
    state.status = status;
    if (status === 'Rejected') state.validation.reason = 'card expired in 02/21';
    if (status === 'Cancelled')
      state.cancellation = { reason: 'customer changed plans', at: '2026-01-02T00:00:00.000Z' };
    if (status === 'Confirmed')
      state.confirmation = { menuId: 'A', confirmedAt: '2026-01-02T00:00:00.000Z', published: true };
    return state;
  };
  const command = { orderId: order.orderId, menuId: 'A' };

  test.each([
    ['Rejected', 'refuse', 'order is rejected: card expired in 02/21'],
    ['Cancelled', 'refuse', 'order is cancelled: customer changed plans'],
    ['Confirmed', 'duplicate', 'already confirmed with menu A'],
  ] as const)('when a ConfirmOrder comes to a %s order, then it is answered %s', (status, kind, text) => {
    expect(decideConfirm(finished(status), command)).toEqual(
      kind === 'refuse' ? { kind, reason: text } : { kind, why: text },
    );
  });

  test.each([
    ['Rejected', 'order is rejected: card expired in 02/21; it can no longer be cancelled'],
    ['Cancelled', 'order is cancelled: customer changed plans'],
    ['Confirmed', 'order is already confirmed with menu A; it can no longer be cancelled'],
  ] as const)('when a CancelOrder comes to a %s order, then it is refused', (status, reason) => {
    expect(decideCancel(finished(status), { orderId: order.orderId })).toEqual({ kind: 'refuse', reason });
  });

  test('when a ConfirmOrder for another menu comes to a Confirmed order, then it is refused', () => {
    expect(decideConfirm(finished('Confirmed'), { ...command, menuId: 'B' })).toEqual({
      kind: 'refuse',
      reason: 'order is already confirmed with menu A',
    });
  });

  test('when a ResumeValidation comes to a Rejected order, then there is no validation to resume', () => {
    expect(decideResume(finished('Rejected'))).toEqual({
      kind: 'refuse',
      reason: 'order is rejected: card expired in 02/21; there is no validation to resume',
    });
  });
});

/** The input as the order's history holds it: submitOrder writes the whole effective policy into it. */
const stored = (input: OrderSubmitted): OrderSubmitted => ({ ...input, ...effectiveOrderSettings(input) });

describe('a resubmission under the same orderId', () => {
  test('with the same content, however spelled, then it is the same order', () => {
    expect(isSameOrder(stored(order), order)).toBe(true);
    // Spaces and dashes in the card number, the currency's case, the defaults spelled out: the same order.
    expect(
      isSameOrder(stored(order), {
        ...order,
        currency: 'eur',
        customerId: ' c-1 ',
        card: { ...order.card, number: '4242 4242-4242 4242' },
        ...effectiveOrderSettings(order),
      }),
    ).toBe(true);
  });

  test.each<[string, Partial<OrderSubmitted>]>([
    ['customerId', { customerId: 'c-2' }],
    ['amount', { amount: 121 }],
    ['currency', { currency: 'USD' }],
    ['card.number', { card: { ...order.card, number: '5555555555554444' } }],
    ['card.expiry', { card: { ...order.card, expiry: '11/39' } }],
    ['card.holder', { card: { ...order.card, holder: 'Grace Hopper' } }],
    ['menus (one more)', { menus: [...order.menus!, { menuId: 'C', catererId: 'cat-cleo' }] }],
    ['menus[1].catererId', { menus: [order.menus![0]!, { menuId: 'B', catererId: 'cat-bob' }] }],
    ['menus (none)', { menus: [] }],
    ['validationPolicy.maxAttempts', { validationPolicy: { maxAttempts: 9 } }],
    ['validationPolicy.reactivateAfter', { validationPolicy: { reactivateAfter: '3 hours' } }],
    ['confirmWithin', { confirmWithin: '2 days' }],
    ['maxHistoryEvents', { maxHistoryEvents: 500 }],
  ])('with another %s, then it is a conflict', (_field, change) => {
    expect(isSameOrder(stored(order), { ...order, ...change })).toBe(false);
  });

  test('when the stored input is no order at all, then nothing is the same as it', () => {
    expect(isSameOrder({ hello: 'world' }, order)).toBe(false);
  });
});
