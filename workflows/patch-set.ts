import { patched } from '@temporalio/workflow';

/**
 * The patched paths one workflow run takes. A run started by code that has the newest of `chain` records that one
 * marker at its start and takes the paths of every patch before it without asking, so it writes one marker (and one
 * `TemporalChangeVersion` upsert, a visibility write) instead of one per patch. A run started with an older id of
 * the chain replays with the answers it had then; a run started before the chain asks for each patch as it always
 * did, and replays the way it ran.
 *
 * The same answers as asking each time: a run started by this code would find every earlier `patched()` true, since
 * it is not replaying when it first asks; replaying it, its chain marker says so again. That holds only for the
 * patches that existed when the chain's ids shipped (`older`): a patch added later is asked with `patched()` itself,
 * or becomes the chain's new head. `has` refuses any other id.
 */
export class PatchSet {
  /** The chain id this run started with (the newest it knew), or undefined for a run started before the chain. */
  private readonly started: string | undefined;
  private readonly older: ReadonlySet<string>;

  /**
   * `chain`: newest first. Construct first thing in the run, before any command, so that its marker is where every
   * replay looks for it; asked in the run's first task, which for a run that already ran is a replay, so no marker
   * is ever added to a run that started before the chain.
   */
  constructor(
    private readonly chain: readonly string[],
    older: readonly string[],
  ) {
    this.older = new Set(older);
    this.started = chain.find((id) => patched(id));
  }

  /** Whether this run started with chain id `id` or a newer one. */
  startedWith(id: string): boolean {
    const at = this.chain.indexOf(id);
    if (at < 0) throw new Error(`patch ${id} is not in the chain ${this.chain.join(', ')}`);
    return this.started !== undefined && this.chain.indexOf(this.started) <= at;
  }

  has(id: string): boolean {
    if (!this.older.has(id))
      throw new Error(`patch ${id} is older than none of ${this.chain.join(', ')}: ask patched() for it`);
    return this.started !== undefined || patched(id);
  }
}
