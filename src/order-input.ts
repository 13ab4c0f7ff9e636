/**
 * Checks an OrderSubmitted that arrived from anywhere (CLI, `temporal workflow start --input`, code) and returns it
 * normalised, or every problem found, each naming its field. Imported by the Order workflow: pure, no Node builtins.
 */
import { compileRetryPolicy, msOptionalToNumber } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import {
  defaultOrderConfirmWithin,
  defaultRetainFor,
  defaultValidationPolicy,
  ErrorType,
  supportedCurrencies,
} from './shared';
import type {
  CreditCard,
  Currency,
  MenuOffer,
  OrderSettings,
  OrderSubmitted,
  ValidationPolicy,
} from './shared';

export type OrderInputCheck = { ok: true; order: OrderSubmitted } | { ok: false; problems: string[] };

/** Below this a run could continue-as-new before it has done any work. */
export const minHistoryEventsLimit = 20;

/**
 * Milliseconds of a Temporal Duration (`'10 seconds'`, `'2h'`, `1500`) as the SDK itself reads it when it schedules
 * timers and activities (`msToNumber`), or undefined when the SDK would refuse it or it is not finite and >= 0.
 */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  let ms: number | undefined;
  try {
    ms = msOptionalToNumber(value as Duration);
  } catch {
    return undefined;
  }
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function requiredString(
  source: Record<string, unknown>,
  key: string,
  label: string,
  problems: string[],
): string {
  const value = source[key];
  if (value === undefined || value === null || value === '') problems.push(`${label} is missing`);
  else if (!nonEmptyString(value)) problems.push(`${label} must be a non-empty string`);
  else return value.trim();
  return '';
}

function checkOrderId(raw: Record<string, unknown>, problems: string[]): string {
  const orderId = requiredString(raw, 'orderId', 'orderId', problems);
  // It becomes part of the workflow id `order-<orderId>`, which people type.
  if (orderId && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/.test(orderId)) {
    problems.push(
      `orderId must be 1-100 letters, digits, '.', '_', ':' or '-' (got ${JSON.stringify(orderId)})`,
    );
  }
  return orderId;
}

function checkAmount(value: unknown, problems: string[]): number {
  const cents = typeof value === 'number' ? value * 100 : NaN;
  if (value === undefined || value === null) problems.push('amount is missing');
  else if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    Math.abs(cents - Math.round(cents)) > 1e-6 ||
    cents > Number.MAX_SAFE_INTEGER
  ) {
    problems.push(
      `amount must be a positive number with at most two decimals (got ${JSON.stringify(value)})`,
    );
  } else return Math.round(cents) / 100;
  return 0;
}

function checkCurrency(value: unknown, problems: string[]): Currency {
  const supported = supportedCurrencies.join(', ');
  if (value === undefined || value === null || value === '') {
    problems.push(`currency is missing (${supported})`);
    return supportedCurrencies[0];
  }
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  const currency = supportedCurrencies.find((c) => c === code);
  if (!currency)
    problems.push(
      `currency ${typeof value === 'string' ? value : JSON.stringify(value)} is not supported (${supported})`,
    );
  return currency ?? supportedCurrencies[0];
}

function checkCard(value: unknown, problems: string[]): CreditCard {
  if (value === undefined || value === null) {
    problems.push('card is missing');
    return { number: '', expiry: '', holder: '' };
  }
  if (!isRecord(value)) {
    problems.push('card must be an object with number, expiry and holder');
    return { number: '', expiry: '', holder: '' };
  }
  // The number's format is the validator's business (it answers InvalidCardData); here it only has to be there.
  const number = requiredString(value, 'number', 'card.number', problems);
  const expiry = requiredString(value, 'expiry', 'card.expiry', problems);
  if (expiry && !/^(0[1-9]|1[0-2])\/\d{2}$/.test(expiry)) {
    // Card data never goes into a message: messages end up in logs, traces and failures.
    problems.push('card.expiry must be MM/YY, as printed on the card');
  }
  const holder = requiredString(value, 'holder', 'card.holder', problems);
  return { number, expiry, holder };
}

function checkMenus(value: unknown, problems: string[]): MenuOffer[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push('menus must be a list of {menuId, catererId}');
    return undefined;
  }
  const menus: MenuOffer[] = [];
  value.forEach((item: unknown, i) => {
    if (!isRecord(item)) {
      problems.push(`menus[${i}] must be an object with menuId and catererId`);
      return;
    }
    const menuId = requiredString(item, 'menuId', `menus[${i}].menuId`, problems);
    const catererId = requiredString(item, 'catererId', `menus[${i}].catererId`, problems);
    if (menuId && menus.some((m) => m.menuId === menuId))
      problems.push(`menus[${i}].menuId ${menuId} is listed twice`);
    menus.push({ menuId, catererId });
  });
  return menus;
}

const durationKeys = [
  'replyTimeout',
  'initialInterval',
  'maximumInterval',
  'deliveryWindow',
  'reactivateAfter',
] as const;

/** The retry policy the Order proxies `validateCreditCard` with; one place, so the check and the workflow agree. */
export const validationRetryPolicy = (policy: ValidationPolicy) => ({
  initialInterval: policy.initialInterval,
  backoffCoefficient: policy.backoffCoefficient,
  maximumInterval: policy.maximumInterval,
  maximumAttempts: policy.maxAttempts,
  nonRetryableErrorTypes: [ErrorType.InvalidCardData],
});

/** The SDK names RetryPolicy's fields; people wrote validationPolicy's. */
const retryFieldNames: Record<string, string> = {
  initialInterval: 'initialInterval',
  maximumInterval: 'maximumInterval',
  backoffCoefficient: 'backoffCoefficient',
  maximumAttempts: 'maxAttempts',
};

/**
 * What the SDK would throw when it schedules the validation with this policy, in the policy's own words, or undefined
 * when it is usable. Checked by the SDK's own compiler so that nothing it refuses is ever accepted here.
 */
export function findPolicyProblem(policy: ValidationPolicy): string | undefined {
  try {
    compileRetryPolicy(validationRetryPolicy(policy));
    for (const key of durationKeys) msOptionalToNumber(policy[key]);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.replace(
      /RetryPolicy\.(\w+)/g,
      (_, field: string) => `validationPolicy.${retryFieldNames[field] ?? field}`,
    );
  }
}

function checkPolicy(
  value: unknown,
  problems: string[],
  lenientTiming: boolean,
): Partial<ValidationPolicy> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    problems.push('validationPolicy must be an object');
    return undefined;
  }
  const before = problems.length;
  const policy: Partial<ValidationPolicy> = {};
  for (const key of durationKeys) {
    const duration = value[key];
    if (duration === undefined) continue;
    const ms = durationMs(duration);
    if (lenientTiming) policy[key] = duration as Duration;
    else if (ms === undefined || ms <= 0) {
      problems.push(
        `validationPolicy.${key} must be a positive duration such as '10 seconds' or 5000 (got ${JSON.stringify(duration)})`,
      );
    } else policy[key] = duration as Duration;
  }
  const { maxAttempts, backoffCoefficient } = value;
  if (maxAttempts !== undefined) {
    if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
      problems.push('validationPolicy.maxAttempts must be a whole number of at least 1');
    } else policy.maxAttempts = maxAttempts;
  }
  if (backoffCoefficient !== undefined) {
    if (
      typeof backoffCoefficient !== 'number' ||
      !Number.isFinite(backoffCoefficient) ||
      backoffCoefficient < 1
    ) {
      problems.push('validationPolicy.backoffCoefficient must be a number of at least 1');
    } else policy.backoffCoefficient = backoffCoefficient;
  }
  if (problems.length === before && !lenientTiming) {
    // Each field may be fine on its own and the whole still unusable, with the defaults filling the gaps.
    const effective = { ...defaultValidationPolicy, ...policy };
    const problem = findPolicyProblem(effective);
    if (problem !== undefined) {
      problems.push(
        `${problem} (initialInterval ${JSON.stringify(effective.initialInterval)}, maximumInterval ${JSON.stringify(effective.maximumInterval)})`,
      );
    }
  }
  return policy;
}

export interface CheckOptions {
  /**
   * Accept durations and the validation policy as given, unchecked. Only for an Order started before durations and
   * retry policies were checked with the SDK's rules, replaying: refusing it now would not match its history.
   */
  lenientTiming?: boolean;
}

/** Validates and normalises an OrderSubmitted; unknown fields are dropped so they never reach history twice. */
export function checkOrderSubmitted(input: unknown, options: CheckOptions = {}): OrderInputCheck {
  const lenientTiming = options.lenientTiming ?? false;
  if (!isRecord(input)) return { ok: false, problems: ['the order must be a JSON object'] };
  const problems: string[] = [];
  const order: OrderSubmitted = {
    orderId: checkOrderId(input, problems),
    customerId: requiredString(input, 'customerId', 'customerId', problems),
    amount: checkAmount(input.amount, problems),
    currency: checkCurrency(input.currency, problems),
    card: checkCard(input.card, problems),
  };
  const menus = checkMenus(input.menus, problems);
  if (menus) order.menus = menus;
  const validationPolicy = checkPolicy(input.validationPolicy, problems, lenientTiming);
  if (validationPolicy) order.validationPolicy = validationPolicy;
  if (input.retainFor !== undefined) {
    if (!lenientTiming && durationMs(input.retainFor) === undefined)
      problems.push(`retainFor must be a duration such as '1 day' (got ${JSON.stringify(input.retainFor)})`);
    else order.retainFor = input.retainFor as Duration;
  }
  if (input.confirmWithin !== undefined) {
    const ms = durationMs(input.confirmWithin);
    if (!lenientTiming && (ms === undefined || ms <= 0))
      problems.push(
        `confirmWithin must be a positive duration such as '7 days' (got ${JSON.stringify(input.confirmWithin)})`,
      );
    else order.confirmWithin = input.confirmWithin as Duration;
  }
  const { maxHistoryEvents } = input;
  if (maxHistoryEvents !== undefined) {
    if (
      typeof maxHistoryEvents !== 'number' ||
      !Number.isInteger(maxHistoryEvents) ||
      maxHistoryEvents < minHistoryEventsLimit
    ) {
      problems.push(`maxHistoryEvents must be a whole number of at least ${minHistoryEventsLimit}`);
    } else order.maxHistoryEvents = maxHistoryEvents;
  }
  return problems.length ? { ok: false, problems } : { ok: true, order };
}

/** The one-line message used by both the client and the workflow, so people see the same words everywhere. */
export const describeOrderProblems = (problems: readonly string[]): string =>
  `invalid order: ${problems.join('; ')}`;

/**
 * The rules an order runs by, fixed when it starts: its own policy over the defaults of the code that started it.
 * Kept in the order's input or carried state from then on, so a later change of a default never reaches it.
 */
export function effectiveOrderSettings(order: OrderSubmitted): OrderSettings {
  const settings: OrderSettings = {
    validationPolicy: { ...defaultValidationPolicy, ...order.validationPolicy },
    retainFor: order.retainFor ?? defaultRetainFor,
    confirmWithin: order.confirmWithin ?? defaultOrderConfirmWithin,
  };
  if (order.maxHistoryEvents !== undefined) settings.maxHistoryEvents = order.maxHistoryEvents;
  return settings;
}
