import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A keyed, append-only record: the first value recorded for a key wins and is what every later call gets back.
 * Activities run at least once, so every side effect in this project goes through one of these.
 */
export interface Ledger<T> {
  recordOnce(key: string, value: T): { value: T; firstTime: boolean };
  get(key: string): T | undefined;
  entries(): [string, T][];
}

export class MemoryLedger<T> implements Ledger<T> {
  protected readonly byKey = new Map<string, T>();

  recordOnce(key: string, value: T): { value: T; firstTime: boolean } {
    const existing = this.byKey.get(key);
    if (existing !== undefined) return { value: existing, firstTime: false };
    this.byKey.set(key, value);
    this.persist(key, value);
    return { value, firstTime: true };
  }

  get(key: string): T | undefined {
    return this.byKey.get(key);
  }

  entries(): [string, T][] {
    return [...this.byKey.entries()];
  }

  protected persist(_key: string, _value: T): void {}
}

/**
 * A ledger kept in a JSON-lines file, one `{key, value}` a line, so that an operator can read it with `tail`
 * and a restarted process remembers what it has done. Writes are synchronous: a line is on disk before the
 * activity that wrote it reports success.
 */
export class JsonlLedger<T> extends MemoryLedger<T> {
  constructor(readonly path: string) {
    super();
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const { key, value } = JSON.parse(line) as { key: string; value: T };
        if (!this.byKey.has(key)) this.byKey.set(key, value);
      }
    }
  }

  protected override persist(key: string, value: T): void {
    appendFileSync(this.path, JSON.stringify({ key, value }) + '\n');
  }
}
