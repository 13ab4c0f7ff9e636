import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SQLInputValue, StatementSync } from 'node:sqlite';
import type { CreditCardValidationResult } from '../contract';

/**
 * What the validator keeps of a request: the answer, and the card only by its last four digits (enough for a person
 * to match a complaint to an answer; the full number, expiry and holder are never written down).
 */
export type ValidatorLedgerEntry = CreditCardValidationResult & { cardLast4?: string };

export interface ValidatorAnswer {
  idempotencyKey: string;
  result: CreditCardValidationResult;
  cardLast4?: string;
  /** false when this answer repeats one already given for the same key (a redelivery). */
  firstTime: boolean;
}

/**
 * Where the validator remembers its answers: an in-memory or JSON-lines `Ledger` (tests), or a database that
 * several validator instances share (below), whose calls are asynchronous.
 */
export interface ValidatorLedger {
  get(key: string): ValidatorLedgerEntry | undefined | Promise<ValidatorLedgerEntry | undefined>;
  recordOnce(
    key: string,
    value: ValidatorLedgerEntry,
  ):
    | { value: ValidatorLedgerEntry; firstTime: boolean }
    | Promise<{ value: ValidatorLedgerEntry; firstTime: boolean }>;
}

/**
 * The validator's idempotency ledger in a database that several validator instances share: one row per
 * idempotency key, the first answer winning by the primary-key constraint (`INSERT ... ON CONFLICT DO NOTHING`,
 * then read what is there), never by a read-then-write that two instances could both pass. A later call for a
 * key already taken is kept as a repeat, and every answer sent goes to an audit table.
 *
 * Rows hold the answer and the card's last four digits only, never the card.
 */
export interface SqlLedger {
  recordOnce(
    key: string,
    value: ValidatorLedgerEntry,
  ): Promise<{ value: ValidatorLedgerEntry; firstTime: boolean }>;
  get(key: string): Promise<ValidatorLedgerEntry | undefined>;
  entries(): Promise<[string, ValidatorLedgerEntry][]>;
  repeats(): Promise<[string, ValidatorLedgerEntry][]>;
  /** The audit trail: every answer sent, redeliveries included. */
  recordAnswer(answer: ValidatorAnswer): Promise<void>;
  answers(): Promise<(ValidatorAnswer & { answeredAt: string })[]>;
  close(): Promise<void>;
}

/** Statements both databases run as written, `$n` placeholders turned into `?` for SQLite. */
const schema = (autoId: string) => [
  `CREATE TABLE IF NOT EXISTS validator_ledger (
     idempotency_key TEXT PRIMARY KEY,
     entry TEXT NOT NULL,
     recorded_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS validator_ledger_repeats (
     id ${autoId},
     idempotency_key TEXT NOT NULL,
     entry TEXT NOT NULL,
     recorded_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS validator_answers (
     id ${autoId},
     idempotency_key TEXT NOT NULL,
     result TEXT NOT NULL,
     card_last4 TEXT,
     first_time INTEGER NOT NULL,
     answered_at TEXT NOT NULL)`,
];
const sql = {
  insert: `INSERT INTO validator_ledger (idempotency_key, entry, recorded_at) VALUES ($1, $2, $3)
           ON CONFLICT (idempotency_key) DO NOTHING`,
  get: `SELECT entry FROM validator_ledger WHERE idempotency_key = $1`,
  entries: `SELECT idempotency_key, entry FROM validator_ledger ORDER BY recorded_at, idempotency_key`,
  repeat: `INSERT INTO validator_ledger_repeats (idempotency_key, entry, recorded_at) VALUES ($1, $2, $3)`,
  repeats: `SELECT idempotency_key, entry FROM validator_ledger_repeats ORDER BY id`,
  answer: `INSERT INTO validator_answers (idempotency_key, result, card_last4, first_time, answered_at)
           VALUES ($1, $2, $3, $4, $5)`,
  answers: `SELECT idempotency_key, result, card_last4, first_time, answered_at FROM validator_answers ORDER BY id`,
};

/** The little a ledger needs from a database: run a statement, get its rows and how many rows it changed. */
interface Database {
  run(statement: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[]; changes: number }>;
  close(): Promise<void>;
}

class SqlValidatorLedger implements SqlLedger {
  constructor(private readonly db: Database) {}

  async recordOnce(key: string, value: ValidatorLedgerEntry) {
    const now = new Date().toISOString();
    const { changes } = await this.db.run(sql.insert, [key, JSON.stringify(value), now]);
    if (changes === 1) return { value, firstTime: true };
    // The constraint said another call (this instance or another) got there first: its answer is the answer.
    const first = await this.get(key);
    if (first === undefined) throw new Error(`validator ledger: ${key} neither inserted nor found`);
    await this.db.run(sql.repeat, [key, JSON.stringify(value), now]);
    return { value: first, firstTime: false };
  }

  async get(key: string) {
    const { rows } = await this.db.run(sql.get, [key]);
    const entry = rows[0]?.entry;
    return typeof entry === 'string' ? (JSON.parse(entry) as ValidatorLedgerEntry) : undefined;
  }

  async entries() {
    return this.pairs(sql.entries);
  }

  async repeats() {
    return this.pairs(sql.repeats);
  }

  async recordAnswer(answer: ValidatorAnswer) {
    await this.db.run(sql.answer, [
      answer.idempotencyKey,
      JSON.stringify(answer.result),
      answer.cardLast4 ?? null,
      answer.firstTime ? 1 : 0,
      new Date().toISOString(),
    ]);
  }

  async answers() {
    const { rows } = await this.db.run(sql.answers, []);
    return rows.map((row) => ({
      idempotencyKey: String(row.idempotency_key),
      result: JSON.parse(String(row.result)) as ValidatorAnswer['result'],
      ...(typeof row.card_last4 === 'string' ? { cardLast4: row.card_last4 } : {}),
      firstTime: Number(row.first_time) === 1,
      answeredAt: String(row.answered_at),
    }));
  }

  close() {
    return this.db.close();
  }

  private async pairs(statement: string): Promise<[string, ValidatorLedgerEntry][]> {
    const { rows } = await this.db.run(statement, []);
    return rows.map((row) => [
      String(row.idempotency_key),
      JSON.parse(String(row.entry)) as ValidatorLedgerEntry,
    ]);
  }
}

/** SQLite in one file (the default: one validator instance, or several on one machine sharing the file). */
export async function openSqliteLedger(path: string): Promise<SqlLedger> {
  const { DatabaseSync } = await import('node:sqlite');
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // busy_timeout: a second process on the same file waits its turn. WAL: readers never wait for the writer.
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA journal_mode = WAL');
  for (const statement of schema('INTEGER PRIMARY KEY AUTOINCREMENT')) db.exec(statement);
  const prepared = new Map<string, StatementSync>();
  const prepare = (statement: string) => {
    let found = prepared.get(statement);
    if (!found) {
      found = db.prepare(statement.replace(/\$\d+/g, '?'));
      prepared.set(statement, found);
    }
    return found;
  };
  return new SqlValidatorLedger({
    run(statement, params) {
      const bound = params as SQLInputValue[];
      // Every statement here either reads (SELECT) or writes; only the writes report how many rows they changed.
      if (/^\s*SELECT\b/i.test(statement))
        return Promise.resolve({ rows: prepare(statement).all(...bound), changes: 0 });
      return Promise.resolve({ rows: [], changes: Number(prepare(statement).run(...bound).changes) });
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  });
}

/** PostgreSQL (VALIDATOR_DATABASE_URL): the store several validator instances on several machines share. */
export async function openPostgresLedger(connectionString: string): Promise<SqlLedger> {
  const { Pool } = await import('pg');
  const pool = new Pool({ connectionString, max: 4 });
  // Two instances starting at once may both try to create the tables; the advisory lock makes them take turns.
  const setup = await pool.connect();
  try {
    await setup.query('SELECT pg_advisory_lock(8000000001)');
    for (const statement of schema('BIGSERIAL PRIMARY KEY')) await setup.query(statement);
  } finally {
    await setup.query('SELECT pg_advisory_unlock(8000000001)').catch(() => undefined);
    setup.release();
  }
  return new SqlValidatorLedger({
    async run(statement, params) {
      const result = await pool.query(statement, params);
      return { rows: result.rows as Record<string, unknown>[], changes: result.rowCount ?? 0 };
    },
    close: () => pool.end(),
  });
}

/**
 * The ledger the validator process uses: PostgreSQL when `databaseUrl` is set, else SQLite at `sqlitePath`. A
 * JSON-lines ledger left by an older version (`jsonlPath`) is copied in on first start (first answers first, a key
 * already in the database kept as it is) and renamed to `<file>.migrated`, so it is read once.
 */
export async function openValidatorLedger(options: {
  databaseUrl?: string;
  sqlitePath: string;
  jsonlPath?: string;
}): Promise<{ ledger: SqlLedger; where: string; migrated: number }> {
  const url = options.databaseUrl?.trim();
  const ledger = url ? await openPostgresLedger(url) : await openSqliteLedger(options.sqlitePath);
  const where = url ? `PostgreSQL ${redact(url)}` : `SQLite ${options.sqlitePath}`;
  let migrated = 0;
  if (options.jsonlPath && existsSync(options.jsonlPath)) {
    for (const line of readFileSync(options.jsonlPath, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const { key, value, repeat } = JSON.parse(line) as {
        key: string;
        value: ValidatorLedgerEntry;
        repeat?: boolean;
      };
      if (repeat) continue;
      if ((await ledger.recordOnce(key, value)).firstTime) migrated++;
    }
    renameSync(options.jsonlPath, `${options.jsonlPath}.migrated`);
  }
  return { ledger, where, migrated };
}

/** A connection string without its password, for logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
