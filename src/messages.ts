/**
 * Every message the workflows take, described once: the Order's input and signals, the CateringMatch's input and
 * signals. The checks, the TypeScript types (re-exported by `shared.ts`) and the JSON Schemas under `docs/schemas/`
 * (`npm run schemas`) all come from here. Imported by workflow code: zod and the SDK's duration parser only, no Node
 * builtins, no clock, no I/O.
 *
 * Every problem names its field: a check's message is what follows the field's path ("is missing"), and
 * `problemsIn` puts the two together ("card.number is missing").
 */
import { msToNumber } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import { z } from 'zod';

// zod compiles object parsers with `new Function` when it may; the same checks without it, wherever they run.
z.config({ jitless: true });

export const supportedCurrencies = ['EUR', 'USD', 'GBP', 'CHF', 'PLN'] as const;
export type Currency = (typeof supportedCurrencies)[number];

/** Below this a run could continue-as-new before it has done any work. */
export const minHistoryEventsLimit = 20;

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/** A required string: trimmed, and neither missing nor blank. */
const text = () =>
  z
    .string({ error: (iss) => (isAbsent(iss.input) ? 'is missing' : 'must be a non-empty string') })
    .min(1, { error: 'is missing', abort: true })
    .trim()
    .refine((s) => s !== '', { error: 'must be a non-empty string', abort: true });

/**
 * A Temporal Duration (`'10 seconds'`, `'2h'`, `1500` ms) that the SDK's own parser (`msToNumber`, what it schedules
 * timers and activities with) reads as a finite length of time, more than zero when `positive`.
 */
export function isDuration(value: unknown, positive: boolean): value is Duration {
  if (typeof value !== 'number' && typeof value !== 'string') return false;
  let ms: number;
  try {
    ms = msToNumber(value as Duration);
  } catch {
    return false;
  }
  return Number.isFinite(ms) && (positive ? ms > 0 : ms >= 0);
}

const durationHelp =
  "A Temporal duration: milliseconds as a number, or a string such as '10 seconds', '2h' or '1.5 days'.";

const duration = (positive: boolean, example: string, lenient: boolean): z.ZodType<Duration> => {
  // An order that started before durations were checked holds whatever it was given: accepted as given on replay.
  if (lenient) return z.custom<Duration>(() => true);
  const message = (input: unknown) =>
    `must be a ${positive ? 'positive ' : ''}duration such as ${example} (got ${JSON.stringify(input)})`;
  return z
    .union([z.number(), z.string()], { error: (iss) => message(iss.input) })
    .refine((v) => isDuration(v, positive), { error: (iss) => message(iss.input), abort: true })
    .meta({ description: durationHelp }) as unknown as z.ZodType<Duration>;
};

const wholeNumber = (min: number) => {
  const message = `must be a whole number of at least ${min}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message });
};

const maxHistoryEvents = () =>
  wholeNumber(minHistoryEventsLimit).meta({
    description:
      "Continue-as-new once a run's history reaches this many events (the server's own suggestion applies too).",
  });

// ---------------------------------------------------------------------------------------------------------------
// Order

export const CreditCard = z
  .object(
    {
      // The number's format is the validator's business (it answers InvalidCardData); here it only has to be there.
      number: text().meta({ description: 'Primary account number; spaces and dashes are tolerated.' }),
      // Card data never goes into a message: messages end up in logs, traces and failures.
      expiry: text().regex(/^(0[1-9]|1[0-2])\/\d{2}$/, {
        error: 'must be MM/YY, as printed on the card',
      }),
      holder: text(),
    },
    {
      error: (iss) =>
        isAbsent(iss.input) ? 'is missing' : 'must be an object with number, expiry and holder',
    },
  )
  .meta({ description: 'The card to charge; never written to a message, a log or a failure.' });

export const MenuOffer = z
  .object({ menuId: text(), catererId: text() }, { error: 'must be an object with menuId and catererId' })
  .meta({ description: 'A menu on offer for an order, and the caterer who must confirm it.' });

/** Menus on offer, each named once. */
const menuOffers = () =>
  z.array(MenuOffer, { error: 'must be a list of {menuId, catererId}' }).superRefine((menus, ctx) => {
    menus.forEach((menu, i) => {
      if (menus.findIndex((m) => m.menuId === menu.menuId) < i)
        ctx.addIssue({ code: 'custom', path: [i, 'menuId'], message: `${menu.menuId} is listed twice` });
    });
  });

const amountMessage = (input: unknown) =>
  `must be a positive number with at most two decimals (got ${JSON.stringify(input)})`;
const inCents = (amount: number) => amount * 100;

const Amount = z
  .number({ error: (iss) => (isAbsent(iss.input) ? 'is missing' : amountMessage(iss.input)) })
  .positive({ error: (iss) => amountMessage(iss.input), abort: true })
  .refine(
    (v) => {
      const cents = inCents(v);
      return Math.abs(cents - Math.round(cents)) <= 1e-6 && cents <= Number.MAX_SAFE_INTEGER;
    },
    { error: (iss) => amountMessage(iss.input), abort: true },
  )
  .overwrite((v) => Math.round(inCents(v)) / 100)
  .meta({ description: "In the currency's major unit, at most two decimals.", examples: [120, 89.5] });

const supportedList = supportedCurrencies.join(', ');
const CurrencyCode = z.preprocess(
  // Any case and surrounding spaces; an unsupported code stays as given, so the message shows what was sent.
  (value) => {
    const code = typeof value === 'string' ? value.trim().toUpperCase() : value;
    return supportedCurrencies.find((c) => c === code) ?? value;
  },
  z
    .enum(supportedCurrencies, {
      error: (iss) =>
        isAbsent(iss.input) || iss.input === ''
          ? `is missing (${supportedList})`
          : `${typeof iss.input === 'string' ? iss.input : JSON.stringify(iss.input)} is not supported (${supportedList})`,
    })
    .meta({ description: 'ISO 4217 code, in any case.' }),
);

/** One field of the retry policy per line; `orderSubmittedSchema` adds the check of the policy as a whole. */
const validationPolicyFields = (lenient: boolean) => {
  const interval = (description: string) =>
    duration(true, "'10 seconds' or 5000", lenient).meta({ description: `${description} ${durationHelp}` });
  return {
    replyTimeout: interval('Start-to-close of one validation attempt (DestinationNotResponding).'),
    maxAttempts: wholeNumber(1),
    initialInterval: interval('Delay before the first redelivery.'),
    backoffCoefficient: z
      .number({ error: 'must be a number of at least 1' })
      .min(1, { error: 'must be a number of at least 1' }),
    maximumInterval: interval('Longest delay between redeliveries.'),
    deliveryWindow: interval('Schedule-to-close: bounds a round even when no validator polls at all.'),
    reactivateAfter: interval('Durable delay after which a stalled validation is re-activated on its own.'),
  };
};

/** The redelivery policy of the card validation, every field given: what an order runs by. */
export const ValidationPolicy = z.object(validationPolicyFields(false));

/** What the policy as a whole breaks (a field of it, and how), though each field is fine on its own. */
export type PolicyProblem = (
  policy: Partial<z.output<typeof ValidationPolicy>>,
) => { field?: string; message: string } | undefined;

export interface OrderSchemaOptions {
  /**
   * Accept durations and the validation policy's durations as given, unchecked: only for an Order started before
   * they were checked with the SDK's rules, replaying.
   */
  lenientTiming?: boolean;
  /** Checked once every field of the policy passes; not with `lenientTiming`. */
  policyProblem?: PolicyProblem;
}

/** Absent when left out or `null`. */
const omittable = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((value) => value ?? undefined)
    .optional();

export function orderSubmittedSchema(options: OrderSchemaOptions = {}) {
  const lenient = options.lenientTiming ?? false;
  const { policyProblem } = options;
  // Key order, in the shape and so in the problems: the order they are listed in the README.
  return z
    .object(
      {
        orderId: text()
          // It becomes part of the workflow id `order-<orderId>`, which people type.
          .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, {
            error: (iss) =>
              `must be 1-100 letters, digits, '.', '_', ':' or '-' (got ${JSON.stringify(iss.input)})`,
          })
          .meta({ description: 'The idempotency key; the workflow id is `order-<orderId>`.' }),
        customerId: text(),
        amount: Amount,
        currency: CurrencyCode,
        card: CreditCard,
        menus: omittable(menuOffers()),
        validationPolicy: omittable(
          z
            .object(validationPolicyFields(lenient), { error: 'must be an object' })
            .partial()
            .superRefine((policy, ctx) => {
              const problem = lenient ? undefined : policyProblem?.(policy);
              if (problem)
                ctx.addIssue({
                  code: 'custom',
                  path: problem.field === undefined ? [] : [problem.field],
                  message: problem.message,
                });
            })
            .meta({ description: 'The redelivery policy of the card validation, over the defaults.' }),
        ),
        retainFor: duration(false, "'1 day'", lenient)
          .optional()
          .meta({
            description: `How long a finished order stays open to answer late commands. Default 1 day. ${durationHelp}`,
          }),
        confirmWithin: duration(true, "'7 days'", lenient)
          .optional()
          .meta({
            description: `How long a validated order waits for ConfirmOrder before it ends Expired. Default 7 days. ${durationHelp}`,
          }),
        maxHistoryEvents: maxHistoryEvents().optional(),
      },
      { error: 'must be a JSON object' },
    )
    .meta({
      title: 'OrderSubmitted',
      description: 'The input of an Order workflow: the command that submits an order.',
    });
}

export const OrderSubmitted = orderSubmittedSchema();

export const ConfirmOrder = z
  .object(
    {
      orderId: text(),
      menuId: text(),
      eventId: text()
        .optional()
        .meta({ description: 'Identifies the command so a redelivery is recognised.' }),
    },
    { error: 'must be an object' },
  )
  .meta({ title: 'ConfirmOrder', description: 'Signal to an Order: confirm it with this menu.' });

export const CancelOrder = z
  .object(
    { orderId: text(), reason: z.string({ error: 'must be a string' }).optional() },
    { error: 'must be an object' },
  )
  .meta({ title: 'CancelOrder', description: 'Signal to an Order: cancel it.' });

export const ResumeValidation = z.object({ orderId: text() }, { error: 'must be an object' }).meta({
  title: 'ResumeValidation',
  description: 'Signal to an Order: try a stalled card validation again now.',
});

// ---------------------------------------------------------------------------------------------------------------
// CateringMatch

const menusOnOffer = () =>
  menuOffers()
    .min(1, { error: 'must not be empty; leave it out to learn menus from the events', abort: true })
    .meta({ description: 'Menus on offer; when absent, menus become known from the events that name them.' });

const menuEventFields = {
  orderId: text(),
  menuId: text(),
  eventId: text().meta({ description: 'Unique per published event; a repeated eventId changes nothing.' }),
};

export const CustomerConfirmedMenu = z.object(menuEventFields, { error: 'must be an object' }).meta({
  title: 'CustomerConfirmedMenu',
  description: 'Signal to a CateringMatch: the customer confirmed a menu.',
});

export const CatererConfirmedMenu = z
  .object({ ...menuEventFields, catererId: text() }, { error: 'must be an object' })
  .meta({
    title: 'CatererConfirmedMenu',
    description: 'Signal to a CateringMatch: a caterer confirmed a menu.',
  });

export const CatererDeclinedMenu = z
  .object(
    { ...menuEventFields, catererId: text(), reason: z.string({ error: 'must be a string' }).optional() },
    { error: 'must be an object' },
  )
  .meta({
    title: 'CatererDeclinedMenu',
    description: 'Signal to a CateringMatch: a caterer declined a menu.',
  });

export const CateringMatchInput = z
  .object(
    {
      orderId: text(),
      menus: menusOnOffer().optional(),
      learnMenusFromEvents: z.boolean({ error: 'must be true or false' }).optional().meta({
        description:
          "Set by an Order that names no menus: no offer will come. Without it (and without menus), a match waits for its order's offer.",
      }),
      confirmWithin: duration(true, "'7 days'", false)
        .optional()
        .meta({
          description: `How long confirmations are awaited before the match expires. Default 7 days. ${durationHelp}`,
        }),
      maxHistoryEvents: maxHistoryEvents().optional(),
    },
    { error: 'must be an object' },
  )
  .meta({ title: 'CateringMatchInput', description: 'The input of a CateringMatch workflow.' });

export const MenusOffered = z
  .object({ orderId: text(), menus: menusOnOffer().optional() }, { error: 'must be an object' })
  .meta({
    title: 'MenusOffered',
    description:
      'Signal to a CateringMatch from its Order: the menus it offers, or none (learn them from events).',
  });

/** Every message, by the name it is signalled or started with: what `npm run schemas` writes to docs/schemas/. */
export const messageSchemas = {
  OrderSubmitted,
  ConfirmOrder,
  CancelOrder,
  ResumeValidation,
  CateringMatchInput,
  CustomerConfirmedMenu,
  CatererConfirmedMenu,
  CatererDeclinedMenu,
  MenusOffered,
} as const;
export type MessageName = keyof typeof messageSchemas;

export type OrderSubmitted = z.output<typeof OrderSubmitted>;
export type CreditCard = z.output<typeof CreditCard>;
export type MenuOffer = z.output<typeof MenuOffer>;
export type ValidationPolicy = z.output<typeof ValidationPolicy>;
export type ConfirmOrder = z.output<typeof ConfirmOrder>;
export type CancelOrder = z.output<typeof CancelOrder>;
export type ResumeValidation = z.output<typeof ResumeValidation>;
export type CateringMatchInput = z.output<typeof CateringMatchInput>;
export type CustomerConfirmedMenu = z.output<typeof CustomerConfirmedMenu>;
export type CatererConfirmedMenu = z.output<typeof CatererConfirmedMenu>;
export type CatererDeclinedMenu = z.output<typeof CatererDeclinedMenu>;
export type MenusOffered = z.output<typeof MenusOffered>;

/** One problem: the field's path (`menus[1].menuId`, empty for the message itself) and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

const pathOf = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (at, key) => (typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${String(key)}` : String(key)),
    '',
  );

/**
 * Every problem `schema` finds in `value`, in the order of its fields, each message naming its field
 * (`card.number is missing`); the message's own problem (not an object) has field '' and the bare message.
 * Empty when the value is well-formed.
 */
export function problemsIn(schema: z.ZodType, value: unknown): FieldProblem[] {
  const result = schema.safeParse(value);
  return result.success ? [] : problemsOf(result.error);
}

/** The problems of a parse that already failed, worded as `problemsIn` words them. */
export function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    const field = pathOf(issue.path);
    return { field, message: field ? `${field} ${issue.message}` : issue.message };
  });
}
