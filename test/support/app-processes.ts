import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const root = resolve(__dirname, '..', '..');
const entries = { worker: 'src/bin/order-worker.ts', validator: 'src/bin/validator-worker.ts' } as const;

/** The Node flags each process runs with under `npm start` (scripts/processes.sh's NODE_FLAGS), the image and compose. */
export const nodeFlags: Record<keyof typeof entries, string[]> = {
  worker: ['--max-old-space-size=1024'],
  validator: [],
};

/**
 * A real worker process, pointed at a test server: `node --import tsx` on the source by default; with `compiled`, the
 * built one as the image runs it (`node dist/src/bin/order-worker.js`: no tsx); with `npm`, `npm run worker` (or
 * `validator`) exactly as a user types it, signalled as a process group.
 */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';
  private exit?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly logWaiters: { pattern: RegExp; found: () => void }[] = [];

  constructor(
    readonly name: keyof typeof entries,
    private readonly env: Record<string, string>,
    private readonly options: { compiled?: boolean; npm?: boolean } = {},
  ) {}

  start(): void {
    if (this.child) throw new Error(`${this.name} is already running`);
    // `node --import tsx` rather than the tsx binary: one process, so SIGKILL reaches the worker itself
    // instead of leaving it orphaned behind a killed wrapper.
    const args = [
      ...nodeFlags[this.name],
      ...(this.options.compiled
        ? [join('dist', entries[this.name].replace(/\.ts$/, '.js'))]
        : ['--import', 'tsx', entries[this.name]]),
    ];
    // Metrics off unless a test asks for a port: processes of tests running side by side would collide.
    const env = { ...process.env, METRICS_PORT: 'off', ...this.env };
    const child = this.options.npm
      ? spawn('npm', ['run', '--silent', this.name], {
          cwd: root,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        })
      : spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
      for (const waiter of [...this.logWaiters])
        if (waiter.pattern.test(this.output)) {
          this.logWaiters.splice(this.logWaiters.indexOf(waiter), 1);
          waiter.found();
        }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exit = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
    this.child = child;
  }

  /** Resolves once the process has logged a line matching `pattern`; rejects when it exits first or after `timeoutMs`. */
  async logged(pattern: RegExp, timeoutMs = 90_000): Promise<void> {
    if (pattern.test(this.output)) return;
    const exit = this.exit;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((found) => this.logWaiters.push({ pattern, found })),
        exit?.then(({ code, signal }) => {
          if (!pattern.test(this.output))
            throw new Error(
              `${this.name} exited (${code ?? signal}) without logging ${pattern}:\n${this.output}`,
            );
        }),
        // A process that runs on without saying it fails the test with what it did say.
        new Promise<void>((_, fail) => {
          timer = setTimeout(
            () => fail(new Error(`${this.name} did not log ${pattern} in ${timeoutMs} ms:\n${this.output}`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` and leaves the process to it: `exited` says how it ended. */
  signal(signal: NodeJS.Signals): void {
    if (this.child) this.send(this.child, signal);
  }

  /** npm's shell, the Node launcher and the worker share one process group; a signal reaches all of them. */
  private send(child: ChildProcess, signal: NodeJS.Signals): void {
    if (this.options.npm && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  }

  /** How the last started process ended, once it has. */
  get exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exit) throw new Error(`${this.name} was never started`);
    return this.exit;
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
      this.send(child, signal);
    });
  }

  get log(): string {
    return this.output;
  }

  /** The running process's pid (for /proc), or undefined when it is not running. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
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
