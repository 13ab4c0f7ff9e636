import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const root = resolve(__dirname, '..', '..');
const entries = { worker: 'src/worker.ts', validator: 'src/validator.ts' } as const;

/** A real worker process (`npm run worker` / `npm run validator`), pointed at a test server. */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(
    readonly name: keyof typeof entries,
    private readonly env: Record<string, string>,
  ) {}

  start(): void {
    if (this.child) throw new Error(`${this.name} is already running`);
    // `node --import tsx` rather than the tsx binary: one process, so SIGKILL reaches the worker itself
    // instead of leaving it orphaned behind a killed wrapper.
    const child = spawn(process.execPath, ['--import', 'tsx', entries[this.name]], {
      cwd: root,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
  }

  /** The crash the reference must survive: no shutdown, no goodbye to the server. */
  async kill9(): Promise<void> {
    await this.stop('SIGKILL');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill(signal);
    });
  }

  get log(): string {
    return this.output;
  }
}

/** Resolves once some worker polls `taskQueue` for the given task type, or throws with what it waited for. */
export async function waitForPoller(
  client: Client,
  taskQueue: string,
  kind: 'workflow' | 'activity',
  timeoutMs = 60_000,
): Promise<void> {
  const taskQueueType =
    kind === 'workflow'
      ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
      : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue },
      taskQueueType,
    });
    if (pollers.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no ${kind} poller on task queue ${taskQueue} after ${timeoutMs}ms`);
}
