/**
 * Checks an OrderSubmitted that arrived from anywhere (CLI, `temporal workflow start --input`, code) against its schema
 * (`messages.ts`) and returns it normalised, or every problem found, each naming its field. Imported by the Order
 * workflow: pure, no Node builtins.
 */
import { compileRetryPolicy, msOptionalToNumber } from '@temporalio/common';
import { safeParse } from 'zod/mini';
import { minHistoryEventsLimit, orderSubmittedSchema, problemsOf } from './messages';
import type { PolicyProblem } from './messages';
import { ErrorType } from './errors';
import { defaultOrderConfirmWithin, defaultValidationPolicy } from './order';
import type { OrderSettings } from './order';
import type { OrderSubmitted, ValidationPolicy } from './messages';

export { minHistoryEventsLimit };

export type OrderInputCheck = { ok: true; order: OrderSubmitted } | { ok: false; problems: string[] };

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

/**
 * The policy as a whole, with the defaults filling the gaps, as the SDK would schedule it: each field may be fine on
 * its own and the whole still unusable.
 */
const wholePolicyProblem: PolicyProblem = (policy) => {
  const effective = { ...defaultValidationPolicy, ...policy };
  const problem = findPolicyProblem(effective);
  if (problem === undefined) return undefined;
  const timing = `(initialInterval ${JSON.stringify(effective.initialInterval)}, maximumInterval ${JSON.stringify(effective.maximumInterval)})`;
  const named = /^validationPolicy\.(\w+) ([\s\S]*)$/.exec(problem);
  return named
    ? { field: named[1], message: `${named[2]} ${timing}` }
    : { message: `${problem.replace(/^validationPolicy /, '')} ${timing}` };
};

/**
 * Built on first use and kept: this module is preloaded into the workflow bundle (src/infra/workflow-bundle.ts), so
 * every workflow of a worker shares one schema instead of building its own per check.
 */
let orderSchema: ReturnType<typeof orderSubmittedSchema> | undefined;

/** Validates and normalises an OrderSubmitted; unknown fields are dropped so they never reach history twice. */
export function checkOrderSubmitted(input: unknown): OrderInputCheck {
  orderSchema ??= orderSubmittedSchema({ policyProblem: wholePolicyProblem });
  const parsed = safeParse(orderSchema, input);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error).map((p) => (p.field ? p.message : `the order ${p.message}`));
    return { ok: false, problems };
  }
  // Left-out fields stay out, as they came: no `undefined` keys in the order kept in history.
  const order = Object.fromEntries(
    Object.entries(parsed.data).filter(([, value]) => value !== undefined),
  ) as OrderSubmitted;
  return { ok: true, order };
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
    confirmWithin: order.confirmWithin ?? defaultOrderConfirmWithin,
  };
  if (order.maxHistoryEvents !== undefined) settings.maxHistoryEvents = order.maxHistoryEvents;
  return settings;
}

/** Structural equality of JSON-like values (what crossed a payload converter), without Node's util. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    keysA.length === keysB.length &&
    keysA.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * What makes two submissions "the same order": the order normalised, with the settings it runs by (its own choices
 * over today's defaults). `undefined` for input that is no order at all.
 */
function orderContent(input: unknown): unknown {
  const checked = checkOrderSubmitted(input);
  return checked.ok ? contentOf(checked.order) : undefined;
}

/** The content of an order `checkOrderSubmitted` has already normalised: no second check, no schema built. */
function contentOf(order: OrderSubmitted): unknown {
  const { orderId, customerId, amount, currency, card, menus } = order;
  return {
    // Spaces and dashes in a card number are tolerated on input; they do not make another card.
    order: {
      orderId,
      customerId,
      amount,
      currency,
      card: { ...card, number: card.number.replace(/[\s-]/g, '') },
      menus: menus ?? [],
    },
    settings: effectiveOrderSettings(order),
  };
}

/**
 * Whether a submission is the stored order again (a retry, answered with the stored order) rather than other content
 * under its orderId (a conflict, a client bug worth saying so): every field of the order and every setting it runs by
 * is compared, the card included. The order's SubmitOrder validator decides it, so every client gets the same rule.
 */
export function isSameOrder(stored: unknown, submitted: unknown): boolean {
  const content = orderContent(stored);
  return content !== undefined && sameJson(content, orderContent(submitted));
}

/** isSameOrder for two orders `checkOrderSubmitted` has already normalised: no further parse. */
export const isSameCheckedOrder = (stored: OrderSubmitted, submitted: OrderSubmitted): boolean =>
  sameJson(contentOf(stored), contentOf(submitted));
