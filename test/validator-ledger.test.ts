import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteLedger, openValidatorLedger, redact } from '../src/infra/validator-ledger';
import type { ValidatorLedgerEntry } from '../src/infra/validator-ledger';

const validated = (orderId: string): ValidatorLedgerEntry => ({
  outcome: 'CreditCardValidated',
  orderId,
  validatedAt: '2030-01-01T00:00:00.000Z',
  cardLast4: '4242',
});
const expired = (orderId: string): ValidatorLedgerEntry => ({
  outcome: 'CreditCardValidationFailed',
  orderId,
  reason: 'card expired',
  validatedAt: '2030-04-11T00:00:00.000Z',
  cardLast4: '4242',
});

/** The validator's ledger in SQLite, the default store (the PostgreSQL one runs in test/cluster.*). */
describe('validator ledger (SQL)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'validator-ledger-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('when a key is recorded twice, then the first answer wins and the second is kept as a repeat', async () => {
    const ledger = await openSqliteLedger(join(dir, 'v.sqlite'));
    const first = await ledger.recordOnce('validate-card:1', validated('1'));
    const second = await ledger.recordOnce('validate-card:1', expired('1'));
    expect(first).toEqual({ value: validated('1'), firstTime: true });
    expect(second).toEqual({ value: validated('1'), firstTime: false });
    expect(await ledger.get('validate-card:1')).toEqual(validated('1'));
    expect(await ledger.get('validate-card:2')).toBeUndefined();
    expect(await ledger.repeats()).toEqual([['validate-card:1', expired('1')]]);
    await ledger.close();
  });

  test('when two connections (two processes) record the same keys at once, then each key has one answer both see', async () => {
    const path = join(dir, 'shared.sqlite');
    const [a, b] = await Promise.all([openSqliteLedger(path), openSqliteLedger(path)]);
    const keys = Array.from({ length: 50 }, (_, i) => `validate-card:${i}`);
    const results = await Promise.all(
      keys.flatMap((key, i) => [
        a.recordOnce(key, validated(String(i))),
        b.recordOnce(key, expired(String(i))),
      ]),
    );
    const byKey = keys.map((_, i) => [results[2 * i]!, results[2 * i + 1]!] as const);
    expect({
      sameAnswer: byKey.filter(([x, y]) => JSON.stringify(x.value) !== JSON.stringify(y.value)).length,
      firstTimes: byKey.filter(([x, y]) => Number(x.firstTime) + Number(y.firstTime) !== 1).length,
      stored: (await b.entries()).length,
    }).toEqual({ sameAnswer: 0, firstTimes: 0, stored: 50 });
    await a.close();
    await b.close();
  });

  test('when answers are sent, then the audit keeps each with its last four digits and whether it was a repeat', async () => {
    const ledger = await openSqliteLedger(join(dir, 'v.sqlite'));
    await ledger.recordAnswer({
      idempotencyKey: 'k',
      result: { outcome: 'CreditCardValidated', orderId: '1', validatedAt: 't' },
      cardLast4: '1111',
      firstTime: true,
    });
    await ledger.recordAnswer({
      idempotencyKey: 'k',
      result: { outcome: 'CreditCardValidated', orderId: '1', validatedAt: 't' },
      firstTime: false,
    });
    expect((await ledger.answers()).map(({ answeredAt: _, ...a }) => a)).toEqual([
      {
        idempotencyKey: 'k',
        result: { outcome: 'CreditCardValidated', orderId: '1', validatedAt: 't' },
        cardLast4: '1111',
        firstTime: true,
      },
      {
        idempotencyKey: 'k',
        result: { outcome: 'CreditCardValidated', orderId: '1', validatedAt: 't' },
        firstTime: false,
      },
    ]);
    await ledger.close();
  });

  test('when a JSON-lines ledger from an older version is there, then its first answers move in once and the file is set aside', async () => {
    const jsonlPath = join(dir, 'validator-ledger.jsonl');
    writeFileSync(
      jsonlPath,
      [
        { key: 'validate-card:1', value: validated('1') },
        { key: 'validate-card:1', value: expired('1'), repeat: true },
        { key: 'validate-card:2', value: expired('2') },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n') + '\n',
    );
    const sqlitePath = join(dir, 'validator.sqlite');
    const opened = await openValidatorLedger({ sqlitePath, jsonlPath });
    expect(opened.migrated).toBe(2);
    expect(opened.where).toBe(`SQLite ${sqlitePath}`);
    expect(await opened.ledger.entries()).toEqual([
      ['validate-card:1', validated('1')],
      ['validate-card:2', expired('2')],
    ]);
    await opened.ledger.close();
    expect(existsSync(jsonlPath)).toBe(false);
    expect(existsSync(`${jsonlPath}.migrated`)).toBe(true);

    const again = await openValidatorLedger({ sqlitePath, jsonlPath });
    expect(again.migrated).toBe(0);
    expect(await again.ledger.entries()).toHaveLength(2);
    await again.ledger.close();
  });

  test('when a database URL is logged, then its password is not', () => {
    expect(redact('postgres://temporal:s3cret@db:5432/catering_validator')).toBe(
      'postgres://temporal:***@db:5432/catering_validator',
    );
  });
});
