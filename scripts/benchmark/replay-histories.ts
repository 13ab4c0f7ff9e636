import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';

/** The committed histories the replay figure replays, `test/histories/*.json`, parsed once. */
export function loadReplayHistories(): { workflowId: string; history: temporal.api.history.v1.History }[] {
  const dir = join(__dirname, '..', '..', 'test', 'histories');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      workflowId: name,
      history: temporal.api.history.v1.History.fromObject(
        JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>,
      ),
    }));
}
