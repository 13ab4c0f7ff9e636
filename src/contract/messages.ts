/**
 * Every message the workflows take, described once: the Order's input and signals, the CateringMatch's input and
 * signals. The checks, the TypeScript types (re-exported by `index.ts`) and the JSON Schemas under `docs/schemas/`
 * (`npm run schemas`) all come from here. Imported by workflow code: zod and the SDK's duration parser only, no Node
 * builtins, no clock, no I/O.
 *
 * Every problem names its field: a check's message is what follows the field's path ("is missing"), and
 * `problemsIn` puts the two together ("card.number is missing").
 */
import { msToNumber } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
// zod's mini build: the same checks and messages as classic zod for a tenth of its heap (docs/design-decisions.md).
import * as z from 'zod/mini';

// zod compiles object parsers with `new Function` when it may; the same checks without it, wherever they run.
z.config({ jitless: true });

/**
 * A schema built on first use and kept: a workflow builds only the schemas of the messages it sees (an Order its
 * input and the commands it is sent, a match its own), not all of them.
 */
const once = <T>(build: () => T): (() => T) => {
  let built: T | undefined;
  return () => (built ??= build());
};

/** What `.meta()` is in classic zod: the description and title that the JSON Schemas carry. */
const describe = <T extends z.ZodMiniType>(schema: T, meta: z.core.GlobalMeta): T => {
  z.globalRegistry.add(schema, meta);
  return schema;
};

export const supportedCurrencies = ['EUR', 'USD', 'GBP', 'CHF', 'PLN'] as const;
export type Currency = (typeof supportedCurrencies)[number];

/** Below this a run could continue-as-new before it has done any work. */
export const minHistoryEventsLimit = 20;

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/**
 * The longest each free-text field may be, so that an oversized order or command is refused, naming its field,
 * before anything starts (not by the server's payload limit, which names nothing). Well above any real value.
 */
export const maxLengths = {
  /** Also the rule of `order-<orderId>`, the workflow id people type. */
  orderId: 100,
  customerId: 200,
  /** 12 to 19 digits, with the spaces or dashes people type. */
  cardNumber: 40,
  cardHolder: 200,
  menuId: 100,
  catererId: 100,
  eventId: 200,
  reason: 1000,
  /** Menus on offer for one order. */
  menus: 100,
} as const;

/** A bound, the last check of its field and never aborting, so that the field's other problems are found too. */
const atMost = (max: number, what = 'characters') =>
  z.maxLength(max, { error: `must be at most ${max} ${what}` });

/** A quoted input for a message, cut short: a message must not carry a megabyte of what it refuses. */
const quote = (input: unknown): string =>
  typeof input === 'string' && input.length > 40
    ? JSON.stringify(`${input.slice(0, 40)}…`)
    : (JSON.stringify(input) ?? String(input));

/** A required string: trimmed, neither missing nor blank, and at most `max` characters once trimmed. */
const text = (max: number | undefined) =>
  z.string({ error: (iss) => (isAbsent(iss.input) ? 'is missing' : 'must be a non-empty string') }).check(
    z.minLength(1, { error: 'is missing', abort: true }),
    z.trim(),
    z.refine((s) => s !== '', { error: 'must be a non-empty string', abort: true }),
    ...(max === undefined ? [] : [atMost(max)]),
  );

/** An optional free-text field (a reason): any string, at most `max` characters. */
const note = (max: number) => z.optional(z.string({ error: 'must be a string' }).check(atMost(max)));

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

const duration = (positive: boolean, example: string): z.ZodMiniType<Duration> => {
  const message = (input: unknown) =>
    `must be a ${positive ? 'positive ' : ''}duration such as ${example} (got ${quote(input)})`;
  return describe(
    z
      // The SDK's parser reads no string longer than 100 characters: the bound says so in the JSON Schema.
      .union(
        [z.number(), z.string().check(z.maxLength(100, { error: (iss) => message(iss.input), abort: true }))],
        {
          error: (iss) => message(iss.input),
        },
      )
      .check(z.refine((v) => isDuration(v, positive), { error: (iss) => message(iss.input), abort: true })),
    { description: durationHelp },
  ) as unknown as z.ZodMiniType<Duration>;
};

const wholeNumber = (min: number) => {
  const message = `must be a whole number of at least ${min}`;
  return z.number({ error: message }).check(z.int({ error: message }), z.gte(min, { error: message }));
};

const maxHistoryEvents = () =>
  describe(wholeNumber(minHistoryEventsLimit), {
    description:
      "Continue-as-new once a run's history reaches this many events (the server's own suggestion applies too).",
  });

// ---------------------------------------------------------------------------------------------------------------
// Order

const creditCard = () =>
  describe(
    z.object(
      {
        // The number's format is the validator's business (it answers InvalidCardData); here it only has to be there.
        number: describe(text(maxLengths.cardNumber), {
          description: 'Primary account number; spaces and dashes are tolerated.',
        }),
        // Card data never goes into a message: messages end up in logs, traces and failures. The format bounds it.
        expiry: text(undefined).check(
          z.regex(/^(0[1-9]|1[0-2])\/\d{2}$/, { error: 'must be MM/YY, as printed on the card' }),
        ),
        holder: text(maxLengths.cardHolder),
      },
      {
        error: (iss) =>
          isAbsent(iss.input) ? 'is missing' : 'must be an object with number, expiry and holder',
      },
    ),
    { description: 'The card to charge; never written to a message, a log or a failure.' },
  );

const menuOffer = () =>
  describe(
    z.object(
      { menuId: text(maxLengths.menuId), catererId: text(maxLengths.catererId) },
      { error: 'must be an object with menuId and catererId' },
    ),
    { description: 'A menu on offer for an order, and the caterer who must confirm it.' },
  );

/** Menus on offer, each named once. */
const menuOffers = () =>
  z.array(menuOffer(), { error: 'must be a list of {menuId, catererId}' }).check(
    z.superRefine((menus, ctx) => {
      menus.forEach((menu, i) => {
        if (menus.findIndex((m) => m.menuId === menu.menuId) < i)
          ctx.addIssue({ code: 'custom', path: [i, 'menuId'], message: `${menu.menuId} is listed twice` });
      });
    }),
    atMost(maxLengths.menus, 'menus'),
  );

const amountMessage = (input: unknown) =>
  `must be a positive number with at most two decimals (got ${JSON.stringify(input)})`;
const inCents = (amount: number) => amount * 100;

const amount = () =>
  describe(
    z.number({ error: (iss) => (isAbsent(iss.input) ? 'is missing' : amountMessage(iss.input)) }).check(
      z.positive({ error: (iss) => amountMessage(iss.input), abort: true }),
      z.refine(
        (v) => {
          const cents = inCents(v);
          return Math.abs(cents - Math.round(cents)) <= 1e-6 && cents <= Number.MAX_SAFE_INTEGER;
        },
        { error: (iss) => amountMessage(iss.input), abort: true },
      ),
      z.overwrite((v) => Math.round(inCents(v)) / 100),
    ),
    { description: "In the currency's major unit, at most two decimals.", examples: [120, 89.5] },
  );

const supportedList = supportedCurrencies.join(', ');
const currencyCode = () =>
  z.pipe(
    // Any case and surrounding spaces; an unsupported code stays as given, so the message shows what was sent.
    z.transform((value: unknown) => {
      const code = typeof value === 'string' ? value.trim().toUpperCase() : value;
      return supportedCurrencies.find((c) => c === code) ?? value;
    }),
    describe(
      z.enum(supportedCurrencies, {
        error: (iss) =>
          isAbsent(iss.input) || iss.input === ''
            ? `is missing (${supportedList})`
            : `${typeof iss.input === 'string' && iss.input.length <= 20 ? iss.input : quote(iss.input)} is not supported (${supportedList})`,
      }),
      { description: 'ISO 4217 code, in any case.' },
    ),
  );

/** One field of the retry policy per line; `orderSubmittedSchema` adds the check of the policy as a whole. */
const validationPolicyFields = () => {
  const interval = (description: string) =>
    describe(duration(true, "'10 seconds' or 5000"), {
      description: `${description} ${durationHelp}`,
    });
  return {
    replyTimeout: interval('Start-to-close of one validation attempt (DestinationNotResponding).'),
    maxAttempts: wholeNumber(1),
    initialInterval: interval('Delay before the first redelivery.'),
    backoffCoefficient: z
      .number({ error: 'must be a number of at least 1' })
      .check(z.gte(1, { error: 'must be a number of at least 1' })),
    maximumInterval: interval('Longest delay between redeliveries.'),
    deliveryWindow: interval('Schedule-to-close: bounds a round even when no validator polls at all.'),
    reactivateAfter: interval('Durable delay after which a stalled validation is re-activated on its own.'),
  };
};

const validationPolicy = () => z.object(validationPolicyFields());

/** What the policy as a whole breaks (a field of it, and how), though each field is fine on its own. */
export type PolicyProblem = (
  policy: Partial<z.output<ReturnType<typeof validationPolicy>>>,
) => { field?: string; message: string } | undefined;

export interface OrderSchemaOptions {
  /** Checked once every field of the policy passes. */
  policyProblem?: PolicyProblem;
}

/** Absent when left out or `null`. */
const omittable = <T extends z.ZodMiniType>(schema: T) =>
  z.optional(
    z.pipe(
      z.nullish(schema),
      z.transform((value) => value ?? undefined),
    ),
  );

export function orderSubmittedSchema(options: OrderSchemaOptions = {}) {
  const { policyProblem } = options;
  // Key order, in the shape and so in the problems: the order they are listed in the README.
  return describe(
    z.object(
      {
        orderId: describe(
          text(undefined).check(
            // Its one bound, always on: it was always its rule. Said first, so a long one is not quoted.
            z.maxLength(maxLengths.orderId, {
              error: `must be at most ${maxLengths.orderId} characters`,
              abort: true,
            }),
            // It becomes part of the workflow id `order-<orderId>`, which people type.
            z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, {
              error: (iss) => `must be 1-100 letters, digits, '.', '_', ':' or '-' (got ${quote(iss.input)})`,
            }),
          ),
          { description: 'The idempotency key; the workflow id is `order-<orderId>`.' },
        ),
        customerId: text(maxLengths.customerId),
        amount: amount(),
        currency: currencyCode(),
        card: creditCard(),
        menus: omittable(menuOffers()),
        validationPolicy: omittable(
          describe(
            z.partial(z.object(validationPolicyFields(), { error: 'must be an object' })).check(
              z.superRefine((policy, ctx) => {
                const problem = policyProblem?.(policy);
                if (problem)
                  ctx.addIssue({
                    code: 'custom',
                    path: problem.field === undefined ? [] : [problem.field],
                    message: problem.message,
                  });
              }),
            ),
            { description: 'The redelivery policy of the card validation, over the defaults.' },
          ),
        ),
        confirmWithin: describe(z.optional(duration(true, "'7 days'")), {
          description: `How long a validated order waits for ConfirmOrder before it ends Expired. Default 7 days. ${durationHelp}`,
        }),
        maxHistoryEvents: z.optional(maxHistoryEvents()),
      },
      { error: 'must be a JSON object' },
    ),
    {
      title: 'OrderSubmitted',
      description: 'The input of an Order workflow: the command that submits an order.',
    },
  );
}

export const OrderSubmitted = once(() => orderSubmittedSchema());

export const ConfirmOrder = once(() =>
  describe(
    z.object(
      {
        orderId: text(maxLengths.orderId),
        menuId: text(maxLengths.menuId),
        eventId: z.optional(
          describe(text(maxLengths.eventId), {
            description: 'Identifies the command so a redelivery is recognised.',
          }),
        ),
      },
      { error: 'must be an object' },
    ),
    { title: 'ConfirmOrder', description: 'Signal to an Order: confirm it with this menu.' },
  ),
);

export const CancelOrder = once(() =>
  describe(
    z.object(
      { orderId: text(maxLengths.orderId), reason: note(maxLengths.reason) },
      { error: 'must be an object' },
    ),
    { title: 'CancelOrder', description: 'Signal to an Order: cancel it.' },
  ),
);

export const ResumeValidation = once(() =>
  describe(z.object({ orderId: text(maxLengths.orderId) }, { error: 'must be an object' }), {
    title: 'ResumeValidation',
    description: 'Signal to an Order: try a stalled card validation again now.',
  }),
);

// ---------------------------------------------------------------------------------------------------------------
// CateringMatch

const menusOnOffer = () =>
  describe(
    menuOffers().check(
      z.minLength(1, {
        error: 'must not be empty; leave it out to learn menus from the events',
        abort: true,
      }),
    ),
    { description: 'Menus on offer; when absent, menus become known from the events that name them.' },
  );

const menuEventFields = () => ({
  orderId: text(maxLengths.orderId),
  menuId: text(maxLengths.menuId),
  eventId: describe(text(maxLengths.eventId), {
    description: 'Unique per published event; a repeated eventId changes nothing.',
  }),
});

export const CustomerConfirmedMenu = once(() =>
  describe(z.object(menuEventFields(), { error: 'must be an object' }), {
    title: 'CustomerConfirmedMenu',
    description: 'Signal to a CateringMatch: the customer confirmed a menu.',
  }),
);

export const CatererConfirmedMenu = once(() =>
  describe(
    z.object({ ...menuEventFields(), catererId: text(maxLengths.catererId) }, { error: 'must be an object' }),
    {
      title: 'CatererConfirmedMenu',
      description: 'Signal to a CateringMatch: a caterer confirmed a menu.',
    },
  ),
);

export const CatererDeclinedMenu = once(() =>
  describe(
    z.object(
      {
        ...menuEventFields(),
        catererId: text(maxLengths.catererId),
        reason: note(maxLengths.reason),
      },
      { error: 'must be an object' },
    ),
    { title: 'CatererDeclinedMenu', description: 'Signal to a CateringMatch: a caterer declined a menu.' },
  ),
);

export const CateringMatchInput = once(() =>
  describe(
    z.object(
      {
        orderId: text(maxLengths.orderId),
        menus: z.optional(menusOnOffer()),
        learnMenusFromEvents: describe(z.optional(z.boolean({ error: 'must be true or false' })), {
          description:
            "Set by an Order that names no menus: no offer will come. Without it (and without menus), a match waits for its order's offer.",
        }),
        confirmWithin: describe(z.optional(duration(true, "'7 days'")), {
          description: `How long confirmations are awaited before the match expires. Default 7 days. ${durationHelp}`,
        }),
        maxHistoryEvents: z.optional(maxHistoryEvents()),
      },
      { error: 'must be an object' },
    ),
    { title: 'CateringMatchInput', description: 'The input of a CateringMatch workflow.' },
  ),
);

export const MenusOffered = once(() =>
  describe(
    z.object(
      {
        orderId: text(maxLengths.orderId),
        menus: z.optional(menusOnOffer()),
        confirmWithin: describe(z.optional(duration(true, "'7 days'")), {
          description: `The order's own confirmation deadline: a match that started without one (an event came first) takes it. ${durationHelp}`,
        }),
      },
      { error: 'must be an object' },
    ),
    {
      title: 'MenusOffered',
      description:
        'Signal to a CateringMatch from its Order: the menus it offers, or none (learn them from events).',
    },
  ),
);

/**
 * Every message, by the name it is signalled or started with, each schema built when first asked for: what
 * `npm run schemas` writes to docs/schemas/.
 */
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

type Built<T extends () => z.ZodMiniType> = z.output<ReturnType<T>>;
export type OrderSubmitted = Built<typeof OrderSubmitted>;
export type CreditCard = z.output<ReturnType<typeof creditCard>>;
export type MenuOffer = z.output<ReturnType<typeof menuOffer>>;
export type ValidationPolicy = z.output<ReturnType<typeof validationPolicy>>;
export type ConfirmOrder = Built<typeof ConfirmOrder>;
export type CancelOrder = Built<typeof CancelOrder>;
export type ResumeValidation = Built<typeof ResumeValidation>;
export type CateringMatchInput = Built<typeof CateringMatchInput>;
export type CustomerConfirmedMenu = Built<typeof CustomerConfirmedMenu>;
export type CatererConfirmedMenu = Built<typeof CatererConfirmedMenu>;
export type CatererDeclinedMenu = Built<typeof CatererDeclinedMenu>;
export type MenusOffered = Built<typeof MenusOffered>;

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
export function problemsIn(schema: z.ZodMiniType, value: unknown): FieldProblem[] {
  const result = z.safeParse(schema, value);
  return result.success ? [] : problemsOf(result.error);
}

/** The problems of a parse that already failed, worded as `problemsIn` words them. */
export function problemsOf(error: z.core.$ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    const field = pathOf(issue.path);
    return { field, message: field ? `${field} ${issue.message}` : issue.message };
  });
}
