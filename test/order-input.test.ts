import { compileRetryPolicy, decompileRetryPolicy, msToNumber } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import { isDuration, maxLengths } from '../src/contract/messages';
import {
  checkOrderSubmitted,
  effectiveOrderSettings,
  validationRetryPolicy,
} from '../src/contract/order-input';

const valid = {
  orderId: '42',
  customerId: 'c-7',
  amount: 120,
  currency: 'EUR',
  card: { number: '4242 4242 4242 4242', expiry: '12/30', holder: 'Ada' },
};

/**
 * The defaults as docs/behaviour.md states them, in milliseconds: reply timeout 10 s,
 * 5 attempts with backoff from 1 s to 30 s, a 2-minute delivery window, re-activation after 1 hour
 * and 7 days to confirm.
 */
const documentedPolicy = {
  replyTimeout: 10_000,
  maxAttempts: 5,
  initialInterval: 1_000,
  // The docs name no coefficient, only the interval's bounds.
  backoffCoefficient: expect.any(Number) as unknown,
  maximumInterval: 30_000,
  deliveryWindow: 120_000,
  reactivateAfter: 3_600_000,
};
const documentedDefaults = {
  validationPolicy: documentedPolicy,
  confirmWithin: 7 * 86_400_000,
};

/** Settings with every duration read as the SDK reads it, so that "10 seconds" and "10s" are the same promise. */
const inMs = (settings: ReturnType<typeof effectiveOrderSettings>) => {
  const ms = (d: Duration | undefined) => (d === undefined ? undefined : msToNumber(d));
  const { validationPolicy: p } = settings;
  return {
    validationPolicy: {
      replyTimeout: ms(p.replyTimeout),
      maxAttempts: p.maxAttempts,
      initialInterval: ms(p.initialInterval),
      backoffCoefficient: p.backoffCoefficient,
      maximumInterval: ms(p.maximumInterval),
      deliveryWindow: ms(p.deliveryWindow),
      reactivateAfter: ms(p.reactivateAfter),
    },
    confirmWithin: ms(settings.confirmWithin),
  };
};

const problemsOf = (input: unknown): string[] => {
  const checked = checkOrderSubmitted(input);
  return checked.ok ? [] : checked.problems;
};

describe('checkOrderSubmitted', () => {
  test('a valid order comes back normalised, unknown fields (retainFor of release 1 among them) dropped', () => {
    expect(
      checkOrderSubmitted({
        ...valid,
        orderId: ' 42 ',
        currency: 'eur',
        amount: 0.1 + 0.2,
        extra: 'x',
        retainFor: '2 days',
      }),
    ).toEqual({ ok: true, order: { ...valid, amount: 0.3 } });
  });

  test.each([
    ['not an object', 'hello', ['the order must be a JSON object']],
    [
      'an empty object',
      {},
      [
        'orderId is missing',
        'customerId is missing',
        'amount is missing',
        'currency is missing (EUR, USD, GBP, CHF, PLN)',
        'card is missing',
      ],
    ],
    ['a blank customerId', { ...valid, customerId: '  ' }, ['customerId must be a non-empty string']],
    [
      'an orderId unfit for a workflow id',
      { ...valid, orderId: 'a b' },
      [`orderId must be 1-100 letters, digits, '.', '_', ':' or '-' (got "a b")`],
    ],
    [
      'three decimals',
      { ...valid, amount: 1.234 },
      ['amount must be a positive number with at most two decimals (got 1.234)'],
    ],
    [
      'a zero amount',
      { ...valid, amount: 0 },
      ['amount must be a positive number with at most two decimals (got 0)'],
    ],
    [
      'an amount as text',
      { ...valid, amount: '12' },
      ['amount must be a positive number with at most two decimals (got "12")'],
    ],
    [
      'an unsupported currency',
      { ...valid, currency: 'XYZ' },
      ['currency XYZ is not supported (EUR, USD, GBP, CHF, PLN)'],
    ],
    ['no card number', { ...valid, card: { expiry: '12/30', holder: 'Ada' } }, ['card.number is missing']],
    [
      'an expiry not MM/YY',
      { ...valid, card: { ...valid.card, expiry: '2030-12' } },
      ['card.expiry must be MM/YY, as printed on the card'],
    ],
    [
      'month 13',
      { ...valid, card: { ...valid.card, expiry: '13/30' } },
      ['card.expiry must be MM/YY, as printed on the card'],
    ],
    ['no holder', { ...valid, card: { ...valid.card, holder: '' } }, ['card.holder is missing']],
    [
      'a menu twice',
      {
        ...valid,
        menus: [
          { menuId: 'm', catererId: 'a' },
          { menuId: 'm', catererId: 'b' },
        ],
      },
      ['menus[1].menuId m is listed twice'],
    ],
    ['a menu without caterer', { ...valid, menus: [{ menuId: 'm' }] }, ['menus[0].catererId is missing']],
    [
      'a bad policy',
      { ...valid, validationPolicy: { replyTimeout: 'soon', maxAttempts: 0, backoffCoefficient: 0.5 } },
      [
        `validationPolicy.replyTimeout must be a positive duration such as '10 seconds' or 5000 (got "soon")`,
        'validationPolicy.maxAttempts must be a whole number of at least 1',
        'validationPolicy.backoffCoefficient must be a number of at least 1',
      ],
    ],
    [
      'a bad confirmWithin',
      { ...valid, confirmWithin: 'forever' },
      [`confirmWithin must be a positive duration such as '7 days' (got "forever")`],
    ],
    [
      'a tiny history limit',
      { ...valid, maxHistoryEvents: 5 },
      ['maxHistoryEvents must be a whole number of at least 20'],
    ],
  ])('%s is refused, naming the field', (_what, input, problems) => {
    expect(problemsOf(input)).toEqual(problems);
  });

  test.each([
    [
      'a maximumInterval below the initialInterval',
      { initialInterval: '1 minute', maximumInterval: '1 second' },
      'validationPolicy.maximumInterval cannot be less than its initialInterval (initialInterval "1 minute", maximumInterval "1 second")',
    ],
    [
      'an initialInterval above the default maximumInterval',
      { initialInterval: '1 minute' },
      'validationPolicy.maximumInterval cannot be less than its initialInterval (initialInterval "1 minute", maximumInterval "30 seconds")',
    ],
    [
      'a reply timeout with a trailing space',
      { replyTimeout: '10 seconds ' },
      `validationPolicy.replyTimeout must be a positive duration such as '10 seconds' or 5000 (got "10 seconds ")`,
    ],
  ])(
    'when the validation policy has %s, which the SDK would refuse to schedule, then it is refused naming the field',
    (_what, validationPolicy, problem) => {
      expect(problemsOf({ ...valid, validationPolicy })).toEqual([problem]);
    },
  );

  const megabytes3 = 'x'.repeat(3 * 1024 * 1024);
  test.each([
    [
      'customerId',
      { ...valid, customerId: megabytes3 },
      `customerId must be at most ${maxLengths.customerId} characters`,
    ],
    [
      'orderId',
      { ...valid, orderId: megabytes3 },
      `orderId must be at most ${maxLengths.orderId} characters`,
    ],
    [
      'card.number',
      { ...valid, card: { ...valid.card, number: megabytes3 } },
      `card.number must be at most ${maxLengths.cardNumber} characters`,
    ],
    [
      'card.holder',
      { ...valid, card: { ...valid.card, holder: megabytes3 } },
      `card.holder must be at most ${maxLengths.cardHolder} characters`,
    ],
    [
      'menus[0].menuId',
      { ...valid, menus: [{ menuId: megabytes3, catererId: 'cat-anna' }] },
      `menus[0].menuId must be at most ${maxLengths.menuId} characters`,
    ],
    [
      'menus[0].catererId',
      { ...valid, menus: [{ menuId: 'A', catererId: megabytes3 }] },
      `menus[0].catererId must be at most ${maxLengths.catererId} characters`,
    ],
    [
      'menus',
      {
        ...valid,
        menus: Array.from({ length: 101 }, (_, i) => ({ menuId: `m-${i}`, catererId: 'cat-anna' })),
      },
      `menus must be at most ${maxLengths.menus} menus`,
    ],
  ])(
    'when %s is 3 MB long (or the menus too many), then the order is refused naming it, in a short message',
    (_field, input, problem) => {
      const problems = problemsOf(input);
      expect(problems).toEqual([problem]);
    },
  );

  test.each([
    ['currency', { ...valid, currency: 'x'.repeat(1_000_000) }, /^currency "x{40,50}…" is not supported/],
    [
      'confirmWithin',
      { ...valid, confirmWithin: 'x'.repeat(1_000_000) },
      /^confirmWithin must be a positive duration such as '7 days' \(got "x{40,50}…"\)$/,
    ],
  ])('when %s is a megabyte of text, then the refusal quotes only its start', (_field, input, problem) => {
    const problems = problemsOf(input);
    expect(problems).toEqual([expect.stringMatching(problem)]);
    expect(problems[0]!.length).toBeLessThan(200);
  });

  test('a field as long as its bound passes, trimmed first; without the bounds (an order from before them, replaying) any length does', () => {
    const atBound = { ...valid, customerId: ` ${'c'.repeat(maxLengths.customerId)} ` };
    expect(checkOrderSubmitted(atBound)).toEqual({
      ok: true,
      order: { ...valid, customerId: 'c'.repeat(maxLengths.customerId) },
    });
    const long = {
      ...valid,
      customerId: 'c'.repeat(maxLengths.customerId + 1),
      card: { ...valid.card, holder: 'h'.repeat(300) },
    };
    expect(problemsOf(long)).toEqual([
      `customerId must be at most ${maxLengths.customerId} characters`,
      `card.holder must be at most ${maxLengths.cardHolder} characters`,
    ]);
    // A bound is its field's last check: the field's other problems are found too.
    expect(problemsOf({ ...long, amount: 0 })).toEqual([
      `customerId must be at most ${maxLengths.customerId} characters`,
      'amount must be a positive number with at most two decimals (got 0)',
      `card.holder must be at most ${maxLengths.cardHolder} characters`,
    ]);
  });

  test('when an order is started, then its settings are its own choices over the defaults, complete', () => {
    const settings = effectiveOrderSettings({
      ...valid,
      currency: 'EUR',
      validationPolicy: { maxAttempts: 2 },
      maxHistoryEvents: 100,
    });
    expect(inMs(settings)).toEqual({
      ...documentedDefaults,
      validationPolicy: { ...documentedPolicy, maxAttempts: 2 },
    });
    expect(settings.maxHistoryEvents).toBe(100);
  });

  test('when an order names no settings, then it runs by the documented defaults, and the retry policy the SDK compiles says the same', () => {
    const settings = effectiveOrderSettings({ ...valid, currency: 'EUR' });
    expect(inMs(settings)).toEqual(documentedDefaults);
    expect(settings.maxHistoryEvents).toBeUndefined();
    const compiled = compileRetryPolicy(validationRetryPolicy(settings.validationPolicy));
    expect(decompileRetryPolicy(compiled)).toMatchObject({
      initialInterval: 1_000,
      maximumInterval: 30_000,
      maximumAttempts: 5,
    });
  });

  test('a partial policy is kept as given, to be merged over the defaults by the workflow', () => {
    const checked = checkOrderSubmitted({
      ...valid,
      validationPolicy: { replyTimeout: 2000, reactivateAfter: '3h' },
    });
    expect(checked).toMatchObject({
      ok: true,
      order: { validationPolicy: { replyTimeout: 2000, reactivateAfter: '3h' } },
    });
  });
});

test.each([
  ['10 seconds', 10_000],
  ['100 ms', 100],
  ['1.5h', 5_400_000],
  ['1 day', 86_400_000],
  [2500, 2500],
  ['2 fortnights', undefined],
  ['-1s', undefined],
  ['10 seconds ', undefined],
  [' 10 seconds', undefined],
  ['10\tseconds', undefined],
  [Number.NaN, undefined],
])('%p is a duration of %p ms, as the SDK schedules it, or none', (value, ms) => {
  expect(isDuration(value, false) ? msToNumber(value) : undefined).toBe(ms);
});
