import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { testDataConverter } from './codec';
import { quietRuntime } from './environments';

const run = promisify(execFile);
const script = resolve(__dirname, '..', '..', 'scripts', 'cluster.sh');

/** A test environment on the cluster's frontend: the app's data converter, the SDK's workers and clients. */
export function clusterEnvironment(cluster: TestCluster): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createFromExistingServer({
    address: cluster.address,
    namespace: 'default',
    client: { dataConverter: testDataConverter() },
  });
}

export const clusterServices = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterService = (typeof clusterServices)[number];

/**
 * A Temporal cluster from `scripts/cluster.sh` (what `npm run cluster:start` runs) in a folder of its own, on
 * ports of its own (clear of the dev server's 7233 and a person's cluster on 7333), without the Web UI.
 */
export class TestCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'catering-cluster-'));

  constructor(
    readonly port = 17333,
    readonly pgPort = 17399,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The cluster's PostgreSQL, for the app's own databases (the validator's ledger). */
  databaseUrl(database: string): string {
    return `postgres://temporal:temporal@127.0.0.1:${this.pgPort}/${database}`;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      TEMPORAL_CLUSTER_DIR: this.dir,
      TEMPORAL_CLUSTER_PORT: String(this.port),
      TEMPORAL_CLUSTER_PG_PORT: String(this.pgPort),
      TEMPORAL_CLUSTER_UI_PORT: '0',
    };
  }

  /** Starts whatever is not running (all of it the first time, a killed service later) and waits for SERVING. */
  async start(): Promise<string> {
    const { stdout } = await run('bash', [script, 'start'], { env: this.env(), maxBuffer: 16 << 20 });
    return stdout;
  }

  async stop(): Promise<void> {
    await run('bash', [script, 'stop'], { env: this.env() });
  }

  pid(service: ClusterService): number {
    return Number(readFileSync(join(this.dir, `${service}.pid`), 'utf8').trim());
  }

  /** kill -9 of the service's process; resolves once it is gone. */
  async kill9(service: ClusterService): Promise<void> {
    const pid = this.pid(service);
    process.kill(pid, 'SIGKILL');
    for (;;) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  log(service: ClusterService): string {
    return readFileSync(join(this.dir, `${service}.log`), 'utf8');
  }

  /** The cluster's folder, and PostgreSQL's where cluster.sh had to put it elsewhere (see postgres.location). */
  remove(): void {
    const moved = join(this.dir, 'postgres.location');
    if (existsSync(moved)) rmSync(readFileSync(moved, 'utf8').trim(), { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
