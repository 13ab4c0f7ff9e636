import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A keyed, append-only record: the first value recorded for a key wins and is what every later call gets back.
 * Activities run at least once, so every side effect in this project goes through one of these.
 *
 * A later call for a key already taken is kept too, as a repeat: a retry repeats the first value, anything else
 * is a second decision that the ledger kept from the world but must not hide from an audit.
 */
export interface Ledger<T> {
  recordOnce(key: string, value: T): { value: T; firstTime: boolean };
  get(key: string): T | undefined;
  entries(): [string, T][];
  /** Every call that found its key taken, in order, with the value it brought. */
  repeats(): [string, T][];
}

export class MemoryLedger<T> implements Ledger<T> {
  protected readonly byKey = new Map<string, T>();
  protected readonly repeated: [string, T][] = [];

  recordOnce(key: string, value: T): { value: T; firstTime: boolean } {
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      this.repeated.push([key, value]);
      this.persist(key, value, true);
      return { value: existing, firstTime: false };
    }
    this.byKey.set(key, value);
    this.persist(key, value, false);
    return { value, firstTime: true };
  }

  get(key: string): T | undefined {
    return this.byKey.get(key);
  }

  entries(): [string, T][] {
    return [...this.byKey.entries()];
  }

  repeats(): [string, T][] {
    return [...this.repeated];
  }

  protected persist(_key: string, _value: T, _repeat: boolean): void {}
}

/**
 * A ledger kept in a JSON-lines file, one `{key, value}` a line (`{key, value, repeat: true}` for a repeat), so
 * that an operator can read it with `tail` and a restarted process remembers what it has done. Writes are
 * synchronous: a line is on disk before the activity that wrote it reports success.
 */
export class JsonlLedger<T> extends MemoryLedger<T> {
  constructor(readonly path: string) {
    super();
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const { key, value, repeat } = JSON.parse(line) as { key: string; value: T; repeat?: boolean };
        if (repeat || this.byKey.has(key)) this.repeated.push([key, value]);
        else this.byKey.set(key, value);
      }
    }
  }

  protected override persist(key: string, value: T, repeat: boolean): void {
    appendFileSync(this.path, JSON.stringify(repeat ? { key, value, repeat } : { key, value }) + '\n');
  }
}
