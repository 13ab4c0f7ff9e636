import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';

/**
 * The committed histories the replay figure replays, parsed once: release 2's (`test/histories/release-2/*.json`),
 * the ones today's workflow code replays; release 1's replay only against their frozen fixture.
 */
export function loadReplayHistories(): { workflowId: string; history: temporal.api.history.v1.History }[] {
  const dir = join(__dirname, '..', '..', 'test', 'histories', 'release-2');
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
