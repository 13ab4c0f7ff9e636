import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createCreditCardValidatorActivities, luhnValid } from '../activities/credit-card-validator';
import type { CreditCardValidatorDeps, FaultInjection } from '../activities/credit-card-validator';
import { MemoryLedger } from '../src/infra/jsonl-ledger';
import type { ValidatorAnswer } from '../src/infra/validator-ledger';
import { ErrorType } from '../src/contract';
import type { CreditCardValidationRequested, CreditCardValidationResult } from '../src/contract';

const june2027 = new Date('2027-06-15T12:00:00Z');
const hour = 3600_000;

function request(overrides: Partial<CreditCardValidationRequested> = {}): CreditCardValidationRequested {
  return {
    idempotencyKey: 'validate-card:o-1',
    orderId: 'o-1',
    customerId: 'c-1',
    amount: 120,
    currency: 'EUR',
    card: { number: '4242 4242 4242 4242', expiry: '06/27', holder: 'Ada' },
    ...overrides,
  };
}

function validator(deps: Partial<CreditCardValidatorDeps> = {}) {
  const answers: ValidatorAnswer[] = [];
  const ledger = new MemoryLedger<CreditCardValidationResult>();
  const clock = { now: june2027 };
  const { validateCreditCard } = createCreditCardValidatorActivities({
    ledger,
    answers: (a) => answers.push(a),
    now: () => clock.now,
    ...deps,
  });
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN') });
  return { answers, ledger, clock, env, validate: (req = request()) => env.run(validateCreditCard, req) };
}

const card = (number: string, expiry = '12/30') => ({ card: { number, expiry, holder: 'Ada' } });

describe('business answers', () => {
  test.each([
    ['4242424242424242', '06/27'],
    ['4111-1111-1111-1111', '12/30'],
  ])('card %s valid through %s is validated', async (number, expiry) => {
    const { validate } = validator();
    await expect(validate(request(card(number, expiry)))).resolves.toEqual({
      outcome: 'CreditCardValidated',
      orderId: 'o-1',
      validatedAt: june2027.toISOString(),
    });
  });

  test('an amount of exactly 10,000, the per-card limit, is validated', async () => {
    const { validate } = validator();
    await expect(validate(request({ amount: 10_000 }))).resolves.toEqual({
      outcome: 'CreditCardValidated',
      orderId: 'o-1',
      validatedAt: june2027.toISOString(),
    });
  });

  test.each([
    ['a number failing the Luhn checksum', card('4242424242424241'), 'card number fails the Luhn checksum'],
    ['a blocklisted number', card('4000 0000 0000 0002'), 'card is blocked by the issuer'],
    ['a card expired at the end of last month', card('4242424242424242', '05/27'), 'card expired'],
    [
      'an amount over the card limit',
      { amount: 10_000.01 },
      'amount 10000.01 EUR exceeds the card limit of 10000.00',
    ],
  ])('%s is a CreditCardValidationFailed with the reason', async (_what, overrides, reason) => {
    const { validate } = validator();
    await expect(validate(request(overrides))).resolves.toEqual({
      outcome: 'CreditCardValidationFailed',
      orderId: 'o-1',
      reason,
      validatedAt: june2027.toISOString(),
    });
  });

  test('the limit and the blocklist can be replaced', async () => {
    const { validate } = validator({ limits: { maxAmountPerCard: 100 }, blocklist: ['4111111111111111'] });
    await expect(validate(request({ idempotencyKey: 'a' }))).resolves.toMatchObject({
      reason: expect.stringMatching(/limit of 100.00/) as string,
    });
    await expect(
      validate(request({ idempotencyKey: 'b', amount: 5, ...card('4111111111111111') })),
    ).resolves.toMatchObject({
      reason: 'card is blocked by the issuer',
    });
    await expect(
      validate(request({ idempotencyKey: 'c', amount: 5, ...card('4000000000000002') })),
    ).resolves.toMatchObject({
      outcome: 'CreditCardValidated',
    });
  });

  test('luhnValid', () => {
    expect(
      ['4242424242424242', '4111111111111111', '4000000000000002', '5105105105105100'].every(luhnValid),
    ).toBe(true);
    expect(luhnValid('4242424242424243')).toBe(false);
  });
});

describe('malformed card data', () => {
  test.each([
    ['letters in the number', card('4242-4242-abcd-4242'), /card.number must be 12 to 19 digits/],
    ['too few digits', card('42424242424'), /card.number must be 12 to 19 digits/],
    ['too many digits', card('42424242424242424242'), /card.number must be 12 to 19 digits/],
    ['an expiry that is not MM/YY', card('4242424242424242', '13/27'), /card.expiry must be MM\/YY/],
  ])('%s fails non-retryably with InvalidCardData', async (_what, overrides, message) => {
    const { validate, ledger } = validator();
    const failure = await validate(request(overrides)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: ErrorType.InvalidCardData,
      nonRetryable: true,
      message: expect.stringMatching(message) as string,
    });
    expect(ledger.entries()).toEqual([]);
  });
});

describe('idempotency', () => {
  test('a redelivered request gets the first answer, even after the card has expired meanwhile', async () => {
    const { validate, clock, answers } = validator();
    const first = await validate();
    clock.now = new Date('2027-07-01T00:00:00Z');
    await expect(validate()).resolves.toEqual(first);
    expect(answers).toEqual([
      { idempotencyKey: 'validate-card:o-1', result: first, firstTime: true, cardLast4: '4242' },
      { idempotencyKey: 'validate-card:o-1', result: first, firstTime: false, cardLast4: '4242' },
    ]);
    await expect(validate(request({ idempotencyKey: 'validate-card:o-2' }))).resolves.toMatchObject({
      outcome: 'CreditCardValidationFailed',
      reason: 'card expired',
    });
  });
});

describe('fault injection', () => {
  test('refuse fails with a retryable ValidatorUnavailable and records nothing', async () => {
    const { validate, ledger } = validator({ faults: { refuse: true } });
    const failure = await validate().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: ErrorType.ValidatorUnavailable, nonRetryable: false });
    expect(ledger.entries()).toEqual([]);
  });

  test('errorRate fails with a plain retryable error when the draw falls under the rate', async () => {
    const faults: FaultInjection = { errorRate: 0.3 };
    const unlucky = validator({ faults, random: () => 0.29 });
    const failure = await unlucky.validate().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect((failure as Error).message).toMatch(/fault injected/);

    const lucky = validator({ faults, random: () => 0.3 });
    await expect(lucky.validate()).resolves.toMatchObject({ outcome: 'CreditCardValidated' });
  });

  test('latency delays the answer, heartbeating meanwhile', async () => {
    const { validate, env } = validator({ faults: { latencyMs: 150 } });
    let heartbeats = 0;
    env.on('heartbeat', () => heartbeats++);
    const started = Date.now();
    await expect(validate()).resolves.toMatchObject({ outcome: 'CreditCardValidated' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(heartbeats).toBeGreaterThan(0);
  });

  test('latency gives way to cancellation', async () => {
    const { validate, env, answers } = validator({ faults: { latencyMs: 60_000 } });
    const pending = validate();
    env.cancel();
    await expect(pending).rejects.toBeInstanceOf(CancelledFailure);
    expect(answers).toEqual([]);
  });

  test('hang never answers, however long it is left, until the request is cancelled (by a timeout or the workflow)', async () => {
    // The validator's own clock, faked: an hour of it passes in milliseconds, so a long latency standing in for
    // "never" would answer inside it and show here.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const { validate, env, answers } = validator({ faults: { hang: true } });
      let heartbeats = 0;
      env.on('heartbeat', () => heartbeats++);
      let settled = false;
      const pending = validate().finally(() => (settled = true));
      pending.catch(() => undefined);

      await jest.advanceTimersByTimeAsync(hour);
      expect(settled).toBe(false);
      // Cancellation only reaches an activity that heartbeats, so a hang must keep heartbeating throughout.
      expect(heartbeats).toBeGreaterThanOrEqual(hour / 1000 / 2);

      env.cancel('TIMED_OUT');
      await expect(pending).rejects.toBeInstanceOf(CancelledFailure);
      expect(answers).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  test('faults are read per request, so an outage can end while the validator runs', async () => {
    const faults: FaultInjection = { refuse: true };
    const { validate } = validator({ faults });
    await expect(validate()).rejects.toMatchObject({ type: ErrorType.ValidatorUnavailable });
    faults.refuse = false;
    await expect(validate()).resolves.toMatchObject({ outcome: 'CreditCardValidated' });
  });
});
