import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Ledger } from '../src/infra/jsonl-ledger';
import type { ValidatorAnswer, ValidatorLedger, ValidatorLedgerEntry } from '../src/infra/validator-ledger';
import { luhnValid } from '../src/infra/luhn';
import { ErrorType } from '../src/contract';
import { appMetric } from '../src/contract/metric-names';
import type { CreditCardValidationRequested, CreditCardValidationResult } from '../src/contract';

/** Ways to make the validator misbehave for tests and demos; read on every request, so they can change live. */
export interface FaultInjection {
  /** Delay before answering (DestinationNotResponding once it exceeds the reply timeout). */
  latencyMs?: number;
  /**
   * Delay between finding no answer in the ledger and recording one, as when the card network is slow to decide:
   * the window in which two instances can decide the same request at once (the ledger's constraint settles it).
   */
  decisionLatencyMs?: number;
  /** Probability in [0, 1] of failing with a plain, retryable error (DestinationFailure). */
  errorRate?: number;
  /** Never answer: the request waits until it is cancelled or times out. */
  hang?: boolean;
  /** Answer every request with a retryable ValidatorUnavailable failure. */
  refuse?: boolean;
}

export interface ValidatorLimits {
  /** Largest amount one card may be charged, in the currency's major unit (the same figure for every currency). */
  maxAmountPerCard: number;
}

export const defaultValidatorLimits: ValidatorLimits = { maxAmountPerCard: 10_000 };

/** Luhn-valid numbers that are always declined, so a demo can show a business "no". */
export const defaultBlocklist: readonly string[] = ['4000000000000002', '5105105105105100'];

export interface CreditCardValidatorDeps {
  ledger: ValidatorLedger | Ledger<ValidatorLedgerEntry>;
  /** Audit trail of every answer sent, redeliveries included. */
  answers?: (answer: ValidatorAnswer) => unknown;
  faults?: FaultInjection;
  now?: () => Date;
  random?: () => number;
  limits?: Partial<ValidatorLimits>;
  blocklist?: Iterable<string>;
}

// Cancellation (and the server's verdict that a timed-out attempt is gone) only reaches an activity that heartbeats.
const heartbeatEveryMs = 1000;

async function pause(ms: number): Promise<void> {
  const ctx = Context.current();
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    ctx.heartbeat();
    await ctx.sleep(Math.min(left, heartbeatEveryMs));
  }
}

async function hangUntilCancelled(): Promise<never> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(heartbeatEveryMs);
  }
}

export { luhnValid };

/** One answer of the validator, by outcome; a redelivered request's repeated answer is counted apart. */
function countAnswer(outcome: string, firstTime: boolean): void {
  Context.current()
    .metricMeter.createCounter(
      appMetric.validatorAnswers,
      undefined,
      'answers the validator gave, by outcome',
    )
    .add(1, { outcome, redelivery: String(!firstTime) });
}

const invalidCard = (message: string) => ApplicationFailure.nonRetryable(message, ErrorType.InvalidCardData);

function cardDigits(number: unknown): string {
  const digits = typeof number === 'string' ? number.replace(/[\s-]/g, '') : '';
  if (!/^\d{12,19}$/.test(digits))
    throw invalidCard('card.number must be 12 to 19 digits (spaces and dashes allowed)');
  return digits;
}

/** The first instant the card is no longer valid: cards are good through the end of their expiry month. */
function expiresAt(expiry: unknown): Date {
  const match = typeof expiry === 'string' ? /^(0[1-9]|1[0-2])\/(\d{2})$/.exec(expiry.trim()) : null;
  if (!match) throw invalidCard('card.expiry must be MM/YY');
  return new Date(Date.UTC(2000 + Number(match[2]), Number(match[1]), 1));
}

/**
 * The separately deployed CreditCardValidator. Stateless apart from its ledger of answers, which makes it
 * idempotent: a redelivered request (same idempotency key) gets the answer the first one got, even if the card
 * has expired since.
 */
export const createCreditCardValidatorActivities = (deps: CreditCardValidatorDeps) => {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const limits = { ...defaultValidatorLimits, ...deps.limits };
  const blocklist = new Set(deps.blocklist ?? defaultBlocklist);

  const send = async (idempotencyKey: string, entry: ValidatorLedgerEntry, firstTime: boolean) => {
    const { cardLast4, ...result } = entry;
    await deps.answers?.(
      cardLast4 === undefined
        ? { idempotencyKey, result, firstTime }
        : { idempotencyKey, result, firstTime, cardLast4 },
    );
    log.info('validation answered', { idempotencyKey, outcome: result.outcome, firstTime });
    countAnswer(result.outcome, firstTime);
    return result;
  };

  function decide(request: CreditCardValidationRequested): CreditCardValidationResult {
    const digits = cardDigits(request.card?.number);
    const expiry = expiresAt(request.card?.expiry);
    const at = now();
    const fail = (reason: string): CreditCardValidationResult => ({
      outcome: 'CreditCardValidationFailed',
      orderId: request.orderId,
      reason,
      validatedAt: at.toISOString(),
    });
    if (!luhnValid(digits)) return fail('card number fails the Luhn checksum');
    if (blocklist.has(digits)) return fail('card is blocked by the issuer');
    // The reason travels to the order's state and the ledger, which never hold card data: no expiry in it.
    if (at >= expiry) return fail('card expired');
    if (request.amount > limits.maxAmountPerCard) {
      return fail(
        `amount ${request.amount.toFixed(2)} ${request.currency} exceeds the card limit of ${limits.maxAmountPerCard.toFixed(2)}`,
      );
    }
    return { outcome: 'CreditCardValidated', orderId: request.orderId, validatedAt: at.toISOString() };
  }

  return {
    async validateCreditCard(request: CreditCardValidationRequested): Promise<CreditCardValidationResult> {
      const faults = deps.faults ?? {};
      if (faults.refuse) {
        throw ApplicationFailure.retryable(
          'validator is refusing requests (fault injected)',
          ErrorType.ValidatorUnavailable,
        );
      }
      if (faults.hang) await hangUntilCancelled();
      if (faults.latencyMs) await pause(faults.latencyMs);
      if (faults.errorRate && random() < faults.errorRate)
        throw new Error('validator failed (fault injected)');

      const recorded = await deps.ledger.get(request.idempotencyKey);
      if (recorded !== undefined) return send(request.idempotencyKey, recorded, false);
      if (faults.decisionLatencyMs) await pause(faults.decisionLatencyMs);
      let decided: CreditCardValidationResult;
      try {
        decided = decide(request);
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === ErrorType.InvalidCardData)
          countAnswer(ErrorType.InvalidCardData, true);
        throw err;
      }
      const { value, firstTime } = await deps.ledger.recordOnce(request.idempotencyKey, {
        ...decided,
        cardLast4: cardDigits(request.card.number).slice(-4),
      });
      return send(request.idempotencyKey, value, firstTime);
    },
  };
};
