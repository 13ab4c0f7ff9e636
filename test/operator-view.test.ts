import { formatAge, formatOrderCounts, formatOrdersTable } from '../src/clients/operator-view';
import type { OrderSummary } from '../src/clients/order-client';

const now = new Date('2026-11-28T12:00:00Z');
const summary = (overrides: Partial<OrderSummary>): OrderSummary => ({
  orderId: '42',
  workflowId: 'order-42',
  runId: 'r',
  status: 'Confirmed',
  customerId: 'c-7',
  executionStatus: 'RUNNING',
  startTime: new Date(now.getTime() - 90_000),
  amount: 120.5,
  currency: 'EUR',
  ...overrides,
});

describe('the operator view of the project CLI', () => {
  test('when orders are listed, then each is one aligned line: order, status, customer, amount, age', () => {
    const lines = formatOrdersTable(
      [
        summary({}),
        summary({ orderId: 'by-hand-7', status: undefined, customerId: undefined, amount: undefined }),
      ],
      now,
    ).split('\n');
    expect(lines).toEqual(
      [
        'ORDER      STATUS     CUSTOMER  AMOUNT      AGE',
        '42         Confirmed  c-7       120.50 EUR  1m',
        'by-hand-7  RUNNING    -         -           1m',
      ].map((l) => l),
    );
  });

  test.each([
    [0, '0s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [3_599_999, '59m'],
    [3_600_000, '1h'],
    [86_400_000 * 3, '3d'],
  ])('when an order is %i ms old, then its age reads %s', (ms, age) => {
    expect(formatAge(ms)).toBe(age);
  });

  test('when orders are stalled, then the counts say so and how to list them', () => {
    const counts = {
      Pending: 1,
      ValidationStalled: 2,
      Validated: 0,
      Confirmed: 5,
      Rejected: 1,
      Cancelled: 0,
      Expired: 0,
      total: 9,
    };
    const text = formatOrderCounts(counts);
    expect(text).toMatch(/^ValidationStalled +2$/m);
    expect(text).toMatch(/^total +9$/m);
    expect(text).toContain('2 order(s) in a stall episode: npm run cli -- list --status ValidationStalled');
    expect(formatOrderCounts({ ...counts, ValidationStalled: 0 })).toContain(
      'no order is in a stall episode',
    );
  });
});
