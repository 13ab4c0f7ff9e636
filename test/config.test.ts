import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  codecServerConfig,
  configVariables,
  deploymentConfig,
  metricsAddress,
  validatorConfig,
  workerConfig,
} from '../src/infra/config';

const root = join(__dirname, '..');

describe('the config module', () => {
  it('lists the same variables as docs/configuration.md', () => {
    const documented = [
      ...readFileSync(join(root, 'docs', 'configuration.md'), 'utf8').matchAll(/^\| `([A-Z_]+)` +\|/gm),
    ]
      .map((m) => m[1])
      .sort();
    expect(documented).toEqual(Object.keys(configVariables).sort());
  });

  it("knows every variable docker-compose.yml sets, besides Temporal's connection settings", () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { environment?: Record<string, unknown> | string[] }>;
    };
    // The project's own images; the others are Temporal's, PostgreSQL's and the dashboards'.
    const ours = ['codec-server', 'search-attributes', 'order-worker', 'validator'];
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(ours));
    const set = ours
      .map((name) => compose.services[name]!)
      .flatMap((service) =>
        Array.isArray(service.environment)
          ? service.environment.map((e) => e.split('=')[0]!)
          : Object.keys(service.environment ?? {}),
      );
    expect(set.length).toBeGreaterThan(0);
    const unknown = set.filter((name) => !name.startsWith('TEMPORAL_') && !(name in configVariables));
    expect(unknown).toEqual([]);
  });

  it.each([
    [{ WORKFLOW_CACHE_SIZE: '-1' }, 'WORKFLOW_CACHE_SIZE=-1 is not valid: expected a whole number >= 0'],
    [{ WORKFLOW_TASK_SLOTS: '1' }, 'WORKFLOW_TASK_SLOTS=1 is not valid: expected a whole number >= 2'],
    [
      { WORKER_SHUTDOWN_GRACE: 'soon' },
      "WORKER_SHUTDOWN_GRACE=soon is not valid: expected a duration such as '30 seconds'",
    ],
    [{ WORKER_SHUTDOWN_GRACE: '-5s' }, 'WORKER_SHUTDOWN_GRACE=-5s is not valid'],
  ])('refuses a worker setting that does not parse: %j', (env, message) => {
    expect(() => workerConfig(env)).toThrow(message);
  });

  it('reads the worker settings, and leaves what is unset to the defaults', () => {
    expect(workerConfig({})).toEqual({ shutdownGrace: { text: '20 seconds', ms: 20_000 }, tuning: {} });
    expect(
      workerConfig({
        WORKER_SHUTDOWN_GRACE: ' 2 minutes ',
        WORKFLOW_CACHE_SIZE: '20',
        ACTIVITY_TASK_POLLERS: '',
      }),
    ).toEqual({ shutdownGrace: { text: '2 minutes', ms: 120_000 }, tuning: { maxCachedWorkflows: 20 } });
  });

  it('reads the metrics address per process kind, or none', () => {
    expect(metricsAddress('orders', {})).toBe('127.0.0.1:9464');
    expect(metricsAddress('credit-card-validation', { METRICS_HOST: '0.0.0.0' })).toBe('0.0.0.0:9465');
    expect(metricsAddress('orders', { METRICS_PORT: 'OFF' })).toBeUndefined();
    expect(() => metricsAddress('orders', { METRICS_PORT: '70000' })).toThrow(
      'METRICS_PORT=70000 is not valid: expected a port from 1 to 65535, or off',
    );
  });

  it("reads the validator's faults and clock", () => {
    expect(
      validatorConfig({
        VALIDATOR_ERROR_RATE: '0.3',
        VALIDATOR_HANG: 'yes',
        VALIDATOR_CLOCK_OFFSET: '-1 hour',
      }),
    ).toEqual({
      faults: { hang: true, refuse: false, errorRate: 0.3 },
      clockOffsetMs: -3_600_000,
    });
    expect(() => validatorConfig({ VALIDATOR_CLOCK_OFFSET: 'later' })).toThrow(
      "VALIDATOR_CLOCK_OFFSET=later is not valid: expected a duration such as '100 days'",
    );
  });

  it("defaults the codec server's origins to both local Web UIs, wherever they were moved", () => {
    const config = codecServerConfig({ TEMPORAL_DEV_UI_PORT: '9233' });
    expect(config.allowedOrigins).toEqual([
      'http://localhost:9233',
      'http://127.0.0.1:9233',
      'http://localhost:8333',
      'http://127.0.0.1:8333',
    ]);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8888, namespaces: [] });
    expect(codecServerConfig({ CODEC_CORS_ORIGINS: 'https://ui.example, ' }).allowedOrigins).toEqual([
      'https://ui.example',
    ]);
    expect(() => codecServerConfig({ CODEC_PORT: 'x' })).toThrow('CODEC_PORT=x is not valid');
  });

  it('joins the order worker to deployment catering-orders as version release-2 unless told otherwise, or none', () => {
    expect(deploymentConfig({})).toEqual({
      version: { deploymentName: 'catering-orders', buildId: 'release-2' },
      bootstrap: true,
    });
    expect(deploymentConfig({ WORKER_BUILD_ID: 'v2', WORKER_DEPLOYMENT_BOOTSTRAP: 'off' })).toEqual({
      version: { deploymentName: 'catering-orders', buildId: 'v2' },
      bootstrap: false,
    });
    expect(deploymentConfig({ WORKER_DEPLOYMENT_NAME: 'none', WORKER_BUILD_ID: 'v2' })).toEqual({
      bootstrap: true,
    });
    // Release 1's worker ran as local: a release-1 worker started from its commit still can.
    expect(deploymentConfig({ WORKER_BUILD_ID: 'local' }).version?.buildId).toBe('local');
  });
});
