import { patched } from '@temporalio/workflow';

/**
 * The patched paths one workflow run takes. A run started by code that has `newest` records that one marker at its
 * start and takes the paths of every patch before it without asking, so it writes one marker (and one
 * `TemporalChangeVersion` upsert, a visibility write) instead of one per patch. A run started before `newest` asks for
 * each patch as it always did, and replays the way it ran.
 *
 * The same answers as asking each time: a run started by this code would find every earlier `patched()` true, since
 * it is not replaying when it first asks; replaying it, the `newest` marker says so again. That holds only for the
 * patches that existed when `newest` shipped (`older`): a patch added later is asked with `patched()` itself, since
 * runs that started with `newest` ran without it. `has` refuses any other id.
 */
export class PatchSet {
  /** Whether this run started on code with `newest`: every patch in `older` holds for it. */
  readonly newest: boolean;
  private readonly older: ReadonlySet<string>;

  /** Construct first thing in the run, before any command, so the marker is where every replay looks for it. */
  constructor(
    private readonly newestId: string,
    older: readonly string[],
  ) {
    this.older = new Set(older);
    this.newest = patched(newestId);
  }

  has(id: string): boolean {
    if (!this.older.has(id))
      throw new Error(`patch ${id} is not older than ${this.newestId}: ask patched() for it`);
    return this.newest || patched(id);
  }
}
