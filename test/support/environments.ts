import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { LogLevel, WorkerOptions, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { searchAttributeKeys, TaskQueue } from '../../src/contract';
import { failureConverterPath, testDataConverter } from './codec';
import { temporalCliExecutable, testServerExecutable } from './toolchain';
import { preloadedWorkflowModules } from '../../src/infra/workflow-bundle';

let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  // Tests provoke alerts and failures on purpose; their WARN lines would bury a real failure's output.
  // TEST_LOG_LEVEL=DEBUG (or INFO, WARN) brings them back.
  const level = (process.env.TEST_LOG_LEVEL?.toUpperCase() ?? 'ERROR') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: { logging: { filter: { core: level, other: 'ERROR' }, forward: {} } },
  });
  runtimeInstalled = true;
}

/**
 * The SDK gives an ephemeral server 5 s to answer; a JVM (or the dev server's SQLite setup) starting on two cores next
 * to a cluster test can miss that.
 * A server that did not come up is started again (a fresh port each time); any other failure is thrown at once.
 */
async function startingAgain<T>(start: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

/**
 * The Java time-skipping test server. It has no `--search-attribute` flag, so the app's custom search
 * attributes are registered through the operator service, as on a real cluster.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await startingAgain(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: testServerExecutable() },
      client: { dataConverter: testDataConverter() },
    }),
  );
  const searchAttributes: Record<string, number> = {};
  for (const key of searchAttributeKeys) {
    if (key.type !== SearchAttributeType.KEYWORD) throw new Error(`unexpected type for ${key.name}`);
    searchAttributes[key.name] = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  }
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes,
  });
  return env;
}

/** The `temporal` CLI's dev server on a free port, with the app's search attributes, in memory. */
export async function createDevServerEnv(
  options: {
    ui?: { port: number; codecEndpoint: string };
    /**
     * Keep the search-attribute cache a cluster keeps. The dev server turns it off by default, so that attributes
     * added at run time are seen at once; then every command that carries a custom search attribute reads the
     * cluster metadata from its store (measured by the benchmark: about half of the order flow's extra server CPU).
     */
    searchAttributeCache?: boolean;
    /** Further server dynamic config (`--dynamic-config-value KEY=VALUE`), e.g. when to suggest continue-as-new. */
    dynamicConfig?: Record<string, string | number | boolean>;
    /** Where the server serves its Prometheus metrics (the CLI picks a port of its own otherwise). */
    metricsPort?: number;
  } = {},
): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const ui = options.ui;
  const cache = options.searchAttributeCache
    ? ['--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=false']
    : [];
  const dynamicConfig = Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
  return startingAgain(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: temporalCliExecutable(),
        searchAttributes: searchAttributeKeys,
        ...(ui ? { ui: true, uiPort: ui.port } : {}),
        extraArgs: [
          '--log-level',
          'error',
          ...cache,
          ...dynamicConfig,
          ...(options.metricsPort ? ['--metrics-port', String(options.metricsPort)] : []),
          ...(ui ? ['--ui-codec-endpoint', ui.codecEndpoint] : []),
        ],
      },
      client: { dataConverter: testDataConverter() },
    }),
  );
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One webpack bundle of `workflows/` per test file: bundling takes seconds, workers take milliseconds. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  quietRuntime();
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath,
    preloadModules: preloadedWorkflowModules(),
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/**
 * A bundle of today's `workflows/` with `@temporalio/workflow` replaced by a shim (a file under test/fixtures/ that
 * re-exports it with one function changed): the same code as it behaves with one change shipped otherwise.
 */
export function workflowBundleWithShim(
  workflowsPath: string,
  shim: string,
): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    failureConverterPath,
    preloadModules: preloadedWorkflowModules(),
    logger: new DefaultLogger('WARN'),
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...config.resolve?.alias, '@temporalio/workflow$': shim } },
    }),
  });
}

/** A worker on the `orders` task queue (by default) of the given environment, with the app's workflows. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  options: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TaskQueue.orders,
    dataConverter: testDataConverter(),
    ...(options.workflowBundle || options.workflowsPath ? {} : { workflowBundle: await workflowBundle() }),
    ...options,
  });
}

let sequence = 0;
/** A fresh id per test, so no two tests ever share a workflow. */
export const uniqueId = (prefix = 't'): string =>
  `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
