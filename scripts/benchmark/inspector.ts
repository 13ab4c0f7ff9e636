/**
 * A small Chrome DevTools Protocol client for a process started with `--inspect`: it reaches the process's worker
 * threads too (`NodeWorker`), which is where the SDK runs workflows, so a heap can be read on the thread that holds
 * the sticky cache.
 */

interface Pending {
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message: string };
}

/** One DevTools session: the process's main thread, or a worker thread reached through it. */
export interface Session {
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
}

export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly workerPending = new Map<string, Map<number, Pending>>();
  /** The sessions of the worker threads announced so far. */
  private readonly attached: string[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => this.receive(JSON.parse(String(event.data)) as CdpMessage));
  }

  /** Connects to the first target of the inspector listening on `port`. */
  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}`);
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot open ${url}`)), { once: true });
    });
    return new Inspector(socket);
  }

  private receive(message: CdpMessage): void {
    if (message.method === 'NodeWorker.attachedToWorker') {
      this.attached.push((message.params as { sessionId: string }).sessionId);
      return;
    }
    if (message.method === 'NodeWorker.receivedMessageFromWorker') {
      const params = message.params as { sessionId: string; message: string };
      this.settle(this.workerPending.get(params.sessionId), JSON.parse(params.message) as CdpMessage);
      return;
    }
    this.settle(this.pending, message);
  }

  private settle(pending: Map<number, Pending> | undefined, message: CdpMessage): void {
    const waiter = message.id === undefined ? undefined : pending?.get(message.id);
    if (!waiter || message.id === undefined) return;
    pending?.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  }

  /** The main thread's session. */
  readonly main: Session = {
    send: <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = this.nextId++;
        this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
        this.socket.send(JSON.stringify({ id, method, params }));
      }),
  };

  /** A session on each worker thread the process runs now (the SDK's workflow threads, for a Temporal worker). */
  async workerThreads(): Promise<Session[]> {
    await this.main.send('NodeWorker.enable', { waitForDebuggerOnStart: false });
    // Attached workers are announced right after enable; a round trip on the main session lets them arrive first.
    await this.main.send('Runtime.evaluate', { expression: '0' });
    return this.attached.map((sessionId) => {
      const pending = new Map<number, Pending>();
      this.workerPending.set(sessionId, pending);
      return {
        send: <T>(method: string, params: Record<string, unknown> = {}) =>
          new Promise<T>((resolve, reject) => {
            const id = this.nextId++;
            pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
            void this.main
              .send('NodeWorker.sendMessageToWorker', {
                sessionId,
                message: JSON.stringify({ id, method, params }),
              })
              .catch(reject);
          }),
      };
    });
  }

  close(): void {
    this.socket.close();
  }
}
