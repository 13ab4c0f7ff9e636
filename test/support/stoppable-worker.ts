import type { Worker } from '@temporalio/worker';

/**
 * A worker a test stops and starts again, each time a new one from `create`: with none running, a workflow's tasks
 * wait in the server, which is how the late-event tests put a deadline's timer and a late command into one task.
 */
export class StoppableWorker {
  private current: { worker: Worker; running: Promise<void> } | undefined;

  constructor(private readonly create: () => Promise<Worker>) {}

  async start(): Promise<void> {
    const worker = await this.create();
    this.current = { worker, running: worker.run() };
  }

  /** Shuts the running worker down and waits for it; nothing when none runs. */
  async stop(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    current?.worker.shutdown();
    await current?.running;
  }
}
