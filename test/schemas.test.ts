import { readFileSync } from 'node:fs';
import { jsonSchemaOf, messageNames, schemaFile } from '../src/infra/message-schemas';
import { maxLengths, messageSchemas, problemsIn } from '../src/contract/messages';
import type { MessageName } from '../src/contract/messages';

const card = { number: '4242 4242 4242 4242', expiry: '12/30', holder: 'Ada Lovelace' };
const menus = [
  { menuId: 'A', catererId: 'cat-anna' },
  { menuId: 'B', catererId: 'cat-ben' },
];

/** A well-formed example of each message, and the same message with one field broken, and that field's path. */
const samples: Record<MessageName, { valid: unknown; malformed: unknown; field: string }> = {
  OrderSubmitted: {
    valid: {
      orderId: 'o-1',
      customerId: 'c-1',
      amount: 120.5,
      currency: 'eur',
      card,
      menus,
      confirmWithin: '2 days',
    },
    malformed: {
      orderId: 'o-1',
      customerId: 'c-1',
      amount: 120.5,
      currency: 'EUR',
      card: { ...card, number: '' },
    },
    field: 'card.number',
  },
  ConfirmOrder: {
    valid: { orderId: 'o-1', menuId: 'A', eventId: 'e-1' },
    malformed: { orderId: 'o-1' },
    field: 'menuId',
  },
  CancelOrder: {
    valid: { orderId: 'o-1', reason: 'changed plans' },
    malformed: { orderId: 'o-1', reason: 7 },
    field: 'reason',
  },
  ResumeValidation: { valid: { orderId: 'o-1' }, malformed: { orderId: '  ' }, field: 'orderId' },
  CateringMatchInput: {
    valid: { orderId: 'o-1', menus, confirmWithin: '7 days', maxHistoryEvents: 500 },
    malformed: { orderId: 'o-1', menus, confirmWithin: 'soon' },
    field: 'confirmWithin',
  },
  CustomerConfirmedMenu: {
    valid: { orderId: 'o-1', menuId: 'A', eventId: 'e-1' },
    malformed: { orderId: 'o-1', menuId: 'A' },
    field: 'eventId',
  },
  CatererConfirmedMenu: {
    valid: { orderId: 'o-1', menuId: 'A', eventId: 'e-2', catererId: 'cat-anna' },
    malformed: { orderId: 'o-1', menuId: 'A', eventId: 'e-2' },
    field: 'catererId',
  },
  CatererDeclinedMenu: {
    valid: { orderId: 'o-1', menuId: 'B', eventId: 'e-3', catererId: 'cat-ben', reason: 'fully booked' },
    malformed: { orderId: 'o-1', menuId: 'B', eventId: 'e-3', catererId: 'cat-ben', reason: false },
    field: 'reason',
  },
  MenusOffered: {
    valid: { orderId: 'o-1', menus },
    malformed: { orderId: 'o-1', menus: [menus[0], { menuId: 'A', catererId: 'cat-ben' }] },
    field: 'menus[1].menuId',
  },
};

describe('the message schemas', () => {
  test.each(messageNames)(
    'when docs/schemas/%s.schema.json is read, then it holds what the schema exports (else run `npm run schemas`)',
    (name) => {
      expect(JSON.parse(readFileSync(schemaFile(name), 'utf8'))).toEqual(jsonSchemaOf(name));
    },
  );

  test('when the docs are listed, then every message has its schema and nothing else is exported', () => {
    expect(messageNames.sort()).toEqual(Object.keys(samples).sort());
  });

  test.each(messageNames)('when a well-formed %s is checked, then it passes', (name) => {
    expect(problemsIn(messageSchemas[name](), samples[name].valid)).toEqual([]);
  });

  test.each(messageNames)('when a malformed %s is checked, then the problem names its field', (name) => {
    const { malformed, field } = samples[name];
    const problems = problemsIn(messageSchemas[name](), malformed);
    expect(problems).toEqual([
      {
        field,
        message: expect.stringMatching(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')} \\S`)) as string,
      },
    ]);
  });

  test.each(messageNames)('when %s is no object, then the message itself is refused', (name) => {
    expect(problemsIn(messageSchemas[name](), 'hello')).toEqual([
      { field: '', message: expect.stringMatching(/^must be a.* object$/) as string },
    ]);
  });
});

/** Every free-text field of every message, a valid value for the rest, and the bound it has. */
const freeText: [MessageName, string, number][] = [
  ['OrderSubmitted', 'orderId', maxLengths.orderId],
  ['OrderSubmitted', 'customerId', maxLengths.customerId],
  ['OrderSubmitted', 'card.number', maxLengths.cardNumber],
  ['OrderSubmitted', 'card.holder', maxLengths.cardHolder],
  ['OrderSubmitted', 'menus[1].menuId', maxLengths.menuId],
  ['OrderSubmitted', 'menus[0].catererId', maxLengths.catererId],
  ['ConfirmOrder', 'orderId', maxLengths.orderId],
  ['ConfirmOrder', 'menuId', maxLengths.menuId],
  ['ConfirmOrder', 'eventId', maxLengths.eventId],
  ['CancelOrder', 'orderId', maxLengths.orderId],
  ['CancelOrder', 'reason', maxLengths.reason],
  ['ResumeValidation', 'orderId', maxLengths.orderId],
  ['CateringMatchInput', 'orderId', maxLengths.orderId],
  ['CateringMatchInput', 'menus[0].menuId', maxLengths.menuId],
  ['CateringMatchInput', 'menus[1].catererId', maxLengths.catererId],
  ['CustomerConfirmedMenu', 'orderId', maxLengths.orderId],
  ['CustomerConfirmedMenu', 'menuId', maxLengths.menuId],
  ['CustomerConfirmedMenu', 'eventId', maxLengths.eventId],
  ['CatererConfirmedMenu', 'menuId', maxLengths.menuId],
  ['CatererConfirmedMenu', 'eventId', maxLengths.eventId],
  ['CatererConfirmedMenu', 'catererId', maxLengths.catererId],
  ['CatererDeclinedMenu', 'orderId', maxLengths.orderId],
  ['CatererDeclinedMenu', 'catererId', maxLengths.catererId],
  ['CatererDeclinedMenu', 'reason', maxLengths.reason],
  ['MenusOffered', 'orderId', maxLengths.orderId],
  ['MenusOffered', 'menus[0].menuId', maxLengths.menuId],
  ['MenusOffered', 'menus[1].catererId', maxLengths.catererId],
];

/** `sample` with the field at `path` (`menus[1].menuId`) set to `value`. */
function withField(sample: unknown, path: string, value: string): unknown {
  const copy = structuredClone(sample) as Record<string, unknown>;
  const keys = path.split(/[.[\]]+/).filter(Boolean);
  let at: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return copy;
}

describe('length bounds', () => {
  test.each(freeText)(
    'when %s.%s is too long, then it is refused naming the field and its bound',
    (name, field, max) => {
      const schema = messageSchemas[name]();
      const { valid } = samples[name];
      expect(problemsIn(schema, withField(valid, field, 'x'.repeat(max)))).toEqual([]);
      expect(problemsIn(schema, withField(valid, field, 'x'.repeat(3 * 1024 * 1024)))).toEqual([
        { field, message: `${field} must be at most ${max} characters` },
      ]);
    },
  );

  test('every string field of every JSON Schema carries a bound or a pattern', () => {
    const unbounded: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if (
        schema.type === 'string' &&
        schema.maxLength === undefined &&
        schema.pattern === undefined &&
        schema.enum === undefined
      )
        unbounded.push(at);
      for (const [key, value] of Object.entries(schema)) walk(value, `${at}/${key}`);
    };
    for (const name of messageNames) walk(jsonSchemaOf(name), name);
    expect(unbounded).toEqual([]);
  });
});
