import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';

export const historiesDir = join(__dirname, '..', 'histories');

export const historyFiles = (): string[] =>
  readdirSync(historiesDir).filter((name) => name.endsWith('.json'));

/** A history recorded by scripts/record-histories.ts. */
export function loadHistory(file: string): temporal.api.history.v1.History {
  const json = JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as Record<string, unknown>;
  return temporal.api.history.v1.History.fromObject(json);
}
