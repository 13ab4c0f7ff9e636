/**
 * Every environment variable this project's processes read, its default and its parse, in one place. Temporal's own
 * connection settings (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_PROFILE, ...) are read by
 * `@temporalio/envconfig` the way the `temporal` CLI reads them, and are not repeated here.
 *
 * A value that does not parse stops the process at start with the variable's name and what it expects: a typo is
 * found when the process starts, not when the setting is first used hours later. An empty value is an unset one.
 * Only this module reads `process.env` (lint enforces it for src/, workflows/ and activities/).
 */
import { join, resolve } from 'node:path';
import { msToNumber } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import { projectRoot } from './project-root';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Each variable with what it sets and its default; docs/configuration.md lists the same ones (a test compares). */
export const configVariables = {
  CATERING_DATA_DIR:
    'folder of the local sinks (alerts, confirmations, validator ledger); default .temporal/data',
  CATERING_CODEC_KEYS:
    'payload encryption keys, `id:base64key,...`, first one encrypts; default: the key file',
  CATERING_CODEC_KEY_FILE: 'file holding the key ring; default .temporal/codec-keys',
  WORKER_SHUTDOWN_GRACE: 'how long a stopping worker lets in-flight tasks finish; default 20 seconds',
  WORKFLOW_CACHE_SIZE: 'sticky cache size (maxCachedWorkflows); default from the heap limit',
  WORKFLOW_TASK_SLOTS: 'workflow tasks run at once; default the SDK default',
  WORKFLOW_TASK_POLLERS: 'concurrent workflow task polls; default the SDK default',
  ACTIVITY_TASK_SLOTS: 'activities run at once; default the SDK default',
  ACTIVITY_TASK_POLLERS: 'concurrent activity task polls; default the SDK default',
  METRICS_HOST: 'address the Prometheus endpoint binds; default 127.0.0.1',
  METRICS_PORT: 'Prometheus port, or `off`; default 9464 (order worker), 9465 (validator)',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'OTLP/HTTP endpoint; set, traces are exported; default none',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'OTLP/HTTP endpoint for traces only; wins over the one above',
  OTEL_SERVICE_NAME:
    'service name on the spans; default order-worker, credit-card-validator, catering-client',
  WORKER_DEPLOYMENT_NAME:
    'Worker Deployment the order worker joins, or `none` for an unversioned worker; default catering-orders',
  WORKER_BUILD_ID: 'the version (build id) it joins as; default release-2',
  WORKER_DEPLOYMENT_BOOTSTRAP: '`off`: do not make the first version of a deployment current',
  VALIDATOR_DATABASE_URL: 'PostgreSQL URL of the validator ledger; default a SQLite file in the data folder',
  VALIDATOR_LATENCY_MS: 'fault injection: delay before each validation; default 0',
  VALIDATOR_DECISION_LATENCY_MS: 'fault injection: delay between deciding and recording an answer; default 0',
  VALIDATOR_ERROR_RATE: 'fault injection: share of validations that fail as an outage, 0 to 1; default 0',
  VALIDATOR_HANG: 'fault injection: validations never answer; default no',
  VALIDATOR_REFUSE: 'fault injection: every validation fails as an outage; default no',
  VALIDATOR_CLOCK_OFFSET: "the validator's today, moved ('100 days', '-1 hour'); default none",
  CODEC_HOST: 'address the codec server binds; default 127.0.0.1',
  CODEC_PORT: 'codec server port; default 8888',
  CODEC_CORS_ORIGINS: 'origins allowed to call the codec server; default the local Web UIs',
  CODEC_NAMESPACES: 'namespaces the codec server decodes for; default the connection namespace',
  CODEC_AUTH_TOKEN: 'bearer token the codec server requires; default none',
  TEMPORAL_DEV_UI_PORT: "the dev server's Web UI port, for the codec server's default origins; default 8233",
  TEMPORAL_CLUSTER_UI_PORT: "the local cluster's Web UI port, likewise; default 8333",
  DESK_HOST: 'address the desk binds; default 127.0.0.1',
  DESK_PORT: 'desk port; default 8080',
  DESK_TOKEN: 'the operator token the desk requires; default the token file',
  DESK_TOKEN_FILE: 'file holding the operator token, made on first run; default .temporal/desk-token',
  DESK_LINK_KEY_FILE: "file holding the participant links' signing key; default .temporal/desk-link-key",
  DESK_PUBLIC_URL: 'the URL participant links start with; default http://<DESK_HOST>:<DESK_PORT>',
  DEBUG: 'set: the CLI prints the stack of an error',
} as const;

export type ConfigVariable = keyof typeof configVariables;

const read = (env: Env, name: ConfigVariable): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

const invalid = (name: ConfigVariable, raw: string, expected: string): ConfigError =>
  new ConfigError(`${name}=${raw} is not valid: expected ${expected}`);

function duration(env: Env, name: ConfigVariable, example: string): { text: string; ms: number } | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let ms: number;
  try {
    ms = msToNumber(raw as Duration);
  } catch {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms)) throw invalid(name, raw, `a duration such as '${example}'`);
  return { text: raw, ms };
}

function wholeNumber(
  env: Env,
  name: ConfigVariable,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  expected = max === Number.MAX_SAFE_INTEGER
    ? `a whole number >= ${min}`
    : `a whole number from ${min} to ${max}`,
): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, raw, expected);
  return n;
}

function flag(env: Env, name: ConfigVariable): boolean {
  const raw = read(env, name);
  const value = raw?.toLowerCase();
  if (value === undefined || value === '0' || value === 'false' || value === 'no') return false;
  if (value === '1' || value === 'true' || value === 'yes') return true;
  throw new ConfigError(`${name}=${raw} is not a boolean: use 1/true/yes or 0/false/no`);
}

const list = (env: Env, name: ConfigVariable): string[] =>
  (read(env, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const dataDir = (env: Env = process.env): string =>
  resolve(read(env, 'CATERING_DATA_DIR') ?? join(projectRoot(), '.temporal', 'data'));

const defaultKeyFile = (): string => join(projectRoot(), '.temporal', 'codec-keys');

/** Where this process's encryption keys come from: the variable when set, else the key file. */
export function keySource(
  env: Env = process.env,
): { kind: 'env'; keys: string } | { kind: 'file'; path: string } {
  const keys = read(env, 'CATERING_CODEC_KEYS');
  if (keys !== undefined) return { kind: 'env', keys };
  return { kind: 'file', path: resolve(read(env, 'CATERING_CODEC_KEY_FILE') ?? defaultKeyFile()) };
}

const defaultShutdownGrace = '20 seconds';

export interface WorkerTuning {
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  workflowTaskPollers?: number;
  maxConcurrentActivityTaskExecutions?: number;
  activityTaskPollers?: number;
}

/** What every worker process runs with; an unset tuning variable leaves the default (run-worker.ts). */
export function workerConfig(env: Env = process.env): {
  shutdownGrace: { text: string; ms: number };
  tuning: WorkerTuning;
} {
  const grace = duration(env, 'WORKER_SHUTDOWN_GRACE', '30 seconds') ?? {
    text: defaultShutdownGrace,
    ms: msToNumber(defaultShutdownGrace),
  };
  if (grace.ms < 0) throw invalid('WORKER_SHUTDOWN_GRACE', grace.text, "a duration such as '30 seconds'");
  const tuning: WorkerTuning = {};
  const set = <K extends keyof WorkerTuning>(key: K, value: number | undefined): void => {
    if (value !== undefined) tuning[key] = value;
  };
  set('maxCachedWorkflows', wholeNumber(env, 'WORKFLOW_CACHE_SIZE', 0));
  set('maxConcurrentWorkflowTaskExecutions', wholeNumber(env, 'WORKFLOW_TASK_SLOTS', 2));
  set('workflowTaskPollers', wholeNumber(env, 'WORKFLOW_TASK_POLLERS', 2));
  set('maxConcurrentActivityTaskExecutions', wholeNumber(env, 'ACTIVITY_TASK_SLOTS', 1));
  set('activityTaskPollers', wholeNumber(env, 'ACTIVITY_TASK_POLLERS', 1));
  return { shutdownGrace: grace, tuning };
}

export const defaultMetricsPort = { orders: 9464, 'credit-card-validation': 9465 } as const;
export type ProcessKind = keyof typeof defaultMetricsPort;

/** `host:port` of the Prometheus endpoint, or undefined for METRICS_PORT=off. */
export function metricsAddress(kind: ProcessKind, env: Env = process.env): string | undefined {
  if (read(env, 'METRICS_PORT')?.toLowerCase() === 'off') return undefined;
  const port =
    wholeNumber(env, 'METRICS_PORT', 1, 65_535, 'a port from 1 to 65535, or off') ?? defaultMetricsPort[kind];
  return `${read(env, 'METRICS_HOST') ?? '127.0.0.1'}:${port}`;
}

/** The one tracing switch: an OTLP endpoint set. The exporter reads the endpoint itself; this decides whether to run it. */
export function tracingConfig(env: Env = process.env): { serviceName?: string } | undefined {
  const endpoint =
    read(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (endpoint === undefined) return undefined;
  const serviceName = read(env, 'OTEL_SERVICE_NAME');
  return serviceName === undefined ? {} : { serviceName };
}

export const defaultDeploymentName = 'catering-orders';
/** The build id of this release of the workflows: each release that changes them runs as a version of its own. */
export const defaultBuildId = 'release-2';

/** A version of a Worker Deployment: its name and the build id. */
export interface DeploymentVersion {
  deploymentName: string;
  buildId: string;
}

/** An earlier release of the order workflows: the build id it ran as, and the commit whose code runs it. */
export interface SupersededRelease {
  name: string;
  buildId: string;
  commit: string;
}

/**
 * The releases this code supersedes, the one list of them: a worker of this release makes itself current in place of
 * one of them (the bootstrap), and tells how to run their pinned workflows on their own code.
 */
export const supersededReleases: readonly SupersededRelease[] = [
  { name: 'release 1', buildId: 'local', commit: '78f0c0aaf336e5bbf1ee0ef8bd16b50f16287067' },
];

/**
 * The order worker's Worker Deployment version. Every way of starting the worker joins the same one unless told
 * otherwise, because workflows pinned to a version run only on a worker of that version.
 */
export function deploymentConfig(env: Env = process.env): {
  version?: DeploymentVersion;
  bootstrap: boolean;
} {
  const deploymentName = read(env, 'WORKER_DEPLOYMENT_NAME') ?? defaultDeploymentName;
  const bootstrap = read(env, 'WORKER_DEPLOYMENT_BOOTSTRAP')?.toLowerCase() !== 'off';
  if (deploymentName.toLowerCase() === 'none') return { bootstrap };
  return { version: { deploymentName, buildId: read(env, 'WORKER_BUILD_ID') ?? defaultBuildId }, bootstrap };
}

export interface ValidatorFaults {
  latencyMs?: number;
  decisionLatencyMs?: number;
  errorRate?: number;
  hang: boolean;
  refuse: boolean;
}

export function validatorConfig(env: Env = process.env): {
  faults: ValidatorFaults;
  clockOffsetMs?: number;
  databaseUrl?: string;
} {
  const faults: ValidatorFaults = {
    hang: flag(env, 'VALIDATOR_HANG'),
    refuse: flag(env, 'VALIDATOR_REFUSE'),
  };
  const latencyMs = wholeNumber(env, 'VALIDATOR_LATENCY_MS', 0, undefined, 'whole milliseconds >= 0');
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const decisionLatencyMs = wholeNumber(
    env,
    'VALIDATOR_DECISION_LATENCY_MS',
    0,
    undefined,
    'whole milliseconds >= 0',
  );
  if (decisionLatencyMs !== undefined) faults.decisionLatencyMs = decisionLatencyMs;
  const rawRate = read(env, 'VALIDATOR_ERROR_RATE');
  if (rawRate !== undefined) {
    const rate = Number(rawRate);
    if (!(rate >= 0 && rate <= 1))
      throw invalid('VALIDATOR_ERROR_RATE', rawRate, 'a probability from 0 to 1');
    faults.errorRate = rate;
  }
  const clockOffsetMs = duration(env, 'VALIDATOR_CLOCK_OFFSET', '100 days')?.ms;
  const databaseUrl = read(env, 'VALIDATOR_DATABASE_URL');
  return {
    faults,
    ...(clockOffsetMs !== undefined ? { clockOffsetMs } : {}),
    ...(databaseUrl !== undefined ? { databaseUrl } : {}),
  };
}

/** The codec server's settings; `namespaces` empty means the connection's namespace. */
export function codecServerConfig(env: Env = process.env): {
  host: string;
  port: number;
  allowedOrigins: string[];
  namespaces: string[];
  authToken?: string;
} {
  const allowedOrigins = list(env, 'CODEC_CORS_ORIGINS');
  if (allowedOrigins.length === 0) {
    // The dev server's Web UI and the local cluster's (`npm run cluster:start`), wherever they were moved.
    for (const uiPort of [
      read(env, 'TEMPORAL_DEV_UI_PORT') ?? '8233',
      read(env, 'TEMPORAL_CLUSTER_UI_PORT') ?? '8333',
    ])
      allowedOrigins.push(`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`);
  }
  const authToken = read(env, 'CODEC_AUTH_TOKEN');
  return {
    host: read(env, 'CODEC_HOST') ?? '127.0.0.1',
    port: wholeNumber(env, 'CODEC_PORT', 0, 65_535, 'a port number (0-65535)') ?? 8888,
    allowedOrigins,
    namespaces: list(env, 'CODEC_NAMESPACES'),
    ...(authToken !== undefined ? { authToken } : {}),
  };
}

/** The desk's settings: where it listens, its operator token (given, or a file made on first run), its link key. */
export function deskConfig(env: Env = process.env): {
  host: string;
  port: number;
  token: { kind: 'env'; value: string } | { kind: 'file'; path: string };
  linkKeyFile: string;
  publicUrl: string;
} {
  const host = read(env, 'DESK_HOST') ?? '127.0.0.1';
  const port = wholeNumber(env, 'DESK_PORT', 0, 65_535, 'a port number (0-65535)') ?? 8080;
  const token = read(env, 'DESK_TOKEN');
  const secrets = join(projectRoot(), '.temporal');
  const publicUrl = read(env, 'DESK_PUBLIC_URL') ?? `http://${host}:${port}`;
  if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(publicUrl))
    throw invalid('DESK_PUBLIC_URL', publicUrl, 'an http(s) URL such as https://desk.example.com');
  return {
    host,
    port,
    token:
      token !== undefined
        ? { kind: 'env', value: token }
        : { kind: 'file', path: resolve(read(env, 'DESK_TOKEN_FILE') ?? join(secrets, 'desk-token')) },
    linkKeyFile: resolve(read(env, 'DESK_LINK_KEY_FILE') ?? join(secrets, 'desk-link-key')),
    publicUrl: publicUrl.replace(/\/+$/, ''),
  };
}

export const debugEnabled = (env: Env = process.env): boolean => read(env, 'DEBUG') !== undefined;
