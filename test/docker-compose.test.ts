import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deploymentConfig, deskConfig } from '../src/infra/config';
import { nodeFlags } from './support/app-processes';

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
}

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
// Compose merges `<<: *anchor` keys; so must the reader, or the Temporal services would look empty.
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
};
// The build compiles these folders to dist/ (tsconfig.build.json), so dist/src/x.js exists once src/x.ts does.
const built = (JSON.parse(read('tsconfig.build.json')) as { include: string[] }).include;
const dockerfile = read('Dockerfile');
const appServices = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

/** No Docker engine runs here, so the compose file is checked by reading it against what does run. */
describe('docker-compose.yml, read against the project', () => {
  test('when an app container starts, then it runs, with plain node, an entry point that npm run build compiles', () => {
    expect(appServices.length).toBeGreaterThanOrEqual(4);
    for (const [name, service] of appServices) {
      // Node's own flags (the order worker's heap limit) come before the entry point.
      const [node, ...args] = service.command ?? [];
      const [entry, ...rest] = args.filter((arg) => !arg.startsWith('--'));
      const source = /^dist\/(src\/[\w/-]+)\.js$/.exec(entry ?? '')?.[1];
      expect({
        name,
        node,
        rest,
        built: source !== undefined && existsSync(join(root, `${source}.ts`)),
      }).toEqual({
        name,
        node: 'node',
        rest: [],
        built: true,
      });
    }
    expect(built).toContain('src');
  });

  test('when the image is built, then it runs what was compiled in its build stage, without tsx, as a non-root user', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(3);
    const [build, deps, runtime] = stages as [string, string, string];
    expect(build).toMatch(/^RUN npm ci\b/m);
    expect(build).toMatch(/^RUN npm run build$/m);
    // Production dependencies are installed where compilers are (native addons), then copied, same Node version.
    expect(deps).toMatch(/^node:(\d+)-bookworm AS deps\b/);
    expect(deps).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime.split('\n')[0]).toBe(`node:${/^node:(\d+)/.exec(deps)?.[1]}-bookworm-slim`);
    expect(runtime).toMatch(/^COPY --from=deps \/app\/node_modules \.\/node_modules$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).toMatch(/^USER node$/m);
    // The order worker as `npm start` runs it, its heap limit included.
    const flags = /declare -A NODE_FLAGS=\(\[worker\]=(\S+)\)/.exec(read('scripts/processes.sh'))?.[1];
    expect([flags]).toEqual(nodeFlags.worker);
    expect(runtime).toContain(`CMD ["node", "${flags}", "dist/src/bin/order-worker.js"]`);
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.worker).toBe(
      `bash scripts/with-node.sh node ${flags} --import tsx src/bin/order-worker.ts`,
    );
    expect(runtime).not.toMatch(/tsx|COPY (src|workflows|activities)\b/);
    const { dependencies } = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    expect(Object.keys(dependencies)).not.toContain('tsx');
    expect(compose.services['order-worker']?.command).toEqual([
      'node',
      flags,
      'dist/src/bin/order-worker.js',
    ]);
  });

  test('when the order worker runs in compose, then it joins the same worker deployment version as under npm start, and the validator none', () => {
    // Compose substitutes an unset variable with the empty string, which the config reads as unset.
    const substituted = (environment: Record<string, string | number> = {}) =>
      Object.fromEntries(
        Object.entries(environment).map(([name, value]) => [name, String(value).replace(/\$\{[^}]*\}/g, '')]),
      );
    expect(deploymentConfig(substituted(compose.services['order-worker']?.environment))).toEqual({
      version: { deploymentName: 'catering-orders', buildId: 'release-2' },
      bootstrap: true,
    });
    expect(read('scripts/quickstart.sh')).not.toMatch(/WORKER_DEPLOYMENT_NAME|WORKER_BUILD_ID/);
    expect(compose.services.validator?.environment?.WORKER_DEPLOYMENT_NAME).toBeUndefined();
  });

  test('when an app container connects, then it has the payload encryption keys, so nothing is written in plaintext', () => {
    for (const [name, service] of appServices) {
      expect({ name, keys: service.environment?.CATERING_CODEC_KEYS }).toEqual({
        name,
        keys: expect.stringMatching(/^\$\{CATERING_CODEC_KEYS:\?/) as string,
      });
    }
  });

  test('when the Web UI decodes payloads, then its codec endpoint is the codec server as the browser reaches it', () => {
    const codec = compose.services['codec-server'];
    expect(codec?.command).toEqual(['node', 'dist/src/bin/codec-server.js']);
    const port = String(codec?.environment?.CODEC_PORT);
    expect(codec?.ports).toContain(`127.0.0.1:${port}:${port}`);
    const ui = compose.services['temporal-ui']?.environment;
    expect(ui?.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${port}`);
    // The codec server must let the UI's page call it.
    const uiOrigin = String(ui?.TEMPORAL_CORS_ORIGINS);
    expect(String(codec?.environment?.CODEC_CORS_ORIGINS).split(',')).toContain(uiOrigin);
  });

  test('when the desk runs in compose, then people reach it, and the links it makes, at its published port', () => {
    const desk = compose.services.desk;
    expect(desk?.command).toEqual(['node', 'dist/src/bin/desk.js']);
    const env = desk?.environment ?? {};
    const config = deskConfig(
      Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[^}]*\}/g, 'set')])),
    );
    expect(desk?.ports).toContain(`127.0.0.1:${config.port}:${config.port}`);
    expect(config.publicUrl).toBe(`http://localhost:${config.port}`);
    // A token made inside the container would be out of reach: compose requires one, and keeps the link key.
    expect(env.DESK_TOKEN).toMatch(/^\$\{DESK_TOKEN:\?/);
    expect(config.linkKeyFile.startsWith('/data/')).toBe(true);
    expect(desk?.volumes).toContain('desk-data:/data');
  });
});

/** What `npm run cluster:start` runs here is what compose runs there: the same files, the same versions. */
describe('docker-compose.yml and scripts/cluster.sh, read side by side', () => {
  const clusterScript = read('scripts/cluster.sh');
  const provisioning = read('scripts/provision-cluster.sh');
  const pinned = (name: string) => new RegExp(`^${name}="v?([^"]+)"$`, 'm').exec(provisioning)?.[1];
  const serverVersion = pinned('SERVER_VERSION');
  const uiVersion = pinned('UI_VERSION');
  const temporalServices = Object.entries(compose.services).filter(([, s]) =>
    s.image?.startsWith('temporalio/server:'),
  );
  const configTemplate = read('deploy/temporal/config.yaml');
  const mount = './deploy/temporal:/etc/temporal/deploy:ro';

  test('when compose runs Temporal, then it is one container per service of cluster.sh, of the server version cluster.sh builds', () => {
    const services = /^SERVICES="([^"]+)"$/m.exec(clusterScript)?.[1]?.split(' ').sort();
    expect(services).toEqual(['frontend', 'history', 'matching', 'worker']);
    expect(temporalServices.map(([, s]) => s.environment?.TEMPORAL_SERVICE).sort()).toEqual(services);
    expect(new Set(temporalServices.map(([, s]) => s.image))).toEqual(
      new Set([`temporalio/server:${serverVersion}`]),
    );
    expect(serverVersion).toMatch(/^\d+\.\d+\.\d+$/);
    // The schema and namespace jobs run the admin tools of the same release, the UI the version cluster.sh builds.
    for (const job of ['temporal-schema', 'temporal-namespace'])
      expect(compose.services[job]?.image).toBe(`temporalio/admin-tools:${serverVersion}`);
    expect(compose.services['temporal-ui']?.image).toBe(`temporalio/ui:${uiVersion}`);
    expect(Object.values(compose.services).some((s) => s.image?.includes('auto-setup'))).toBe(false);
  });

  test('when a Temporal service starts in either, then it reads deploy/temporal/config.yaml and dynamicconfig.yaml', () => {
    for (const [name, service] of temporalServices) {
      const command = (service.entrypoint ?? []).join(' ');
      expect({ name, volumes: service.volumes }).toEqual({ name, volumes: [mount] });
      expect({ name, config: /--config-file (\S+)/.exec(command)?.[1] }).toEqual({
        name,
        config: '/etc/temporal/deploy/config.yaml',
      });
      expect(service.environment?.DYNAMIC_CONFIG_FILE_PATH).toBe('/etc/temporal/deploy/dynamicconfig.yaml');
    }
    expect(clusterScript).toContain('DEPLOY_DIR="$ROOT_DIR/deploy/temporal"');
    expect(clusterScript).toContain('--config-file "$DEPLOY_DIR/config.yaml"');
    expect(clusterScript).toContain('DYNAMIC_CONFIG_FILE_PATH=$DEPLOY_DIR/dynamicconfig.yaml');
  });

  test('when either sets a variable for a Temporal service, then the shared config template reads it', () => {
    const read = new Set([...configTemplate.matchAll(/env "([A-Z_]+)"/g)].map((m) => m[1]));
    const fromCompose = temporalServices.flatMap(([, s]) => Object.keys(s.environment ?? {}));
    const fromCluster = [...clusterScript.matchAll(/"([A-Z_]+)=/g)].map((m) => m[1]!);
    const fromClusterLoop = ['FRONTEND', 'HISTORY', 'MATCHING', 'WORKER'].flatMap((s) => [
      `${s}_GRPC_PORT`,
      `${s}_MEMBERSHIP_PORT`,
    ]);
    expect(clusterScript).toContain('"${upper}_GRPC_PORT=');
    expect(
      [...fromCompose, ...fromCluster, ...fromClusterLoop].filter(
        (name) => name !== 'TEMPORAL_SERVICE' && !read.has(name),
      ),
    ).toEqual([]);
    expect(fromCluster.length).toBeGreaterThan(5);
  });

  test('when the schemas and the namespace are set up, then both run the same scripts from deploy/', () => {
    expect(compose.services['temporal-schema']?.entrypoint).toEqual([
      '/bin/sh',
      '/etc/temporal/deploy/setup-schema.sh',
    ]);
    expect(compose.services['temporal-namespace']?.entrypoint).toEqual([
      '/bin/sh',
      '/etc/temporal/deploy/setup-namespace.sh',
    ]);
    for (const job of ['temporal-schema', 'temporal-namespace'])
      expect(compose.services[job]?.volumes).toEqual([mount]);
    expect(clusterScript).toContain('"$DEPLOY_DIR/setup-schema.sh"');
    expect(clusterScript).toContain('"$DEPLOY_DIR/setup-namespace.sh"');
  });

  test('when the validator runs in compose, then its ledger is in the database the schema job creates', () => {
    const url = String(compose.services.validator?.environment?.VALIDATOR_DATABASE_URL);
    const database = /^postgres:\/\/[^@]+@postgresql:5432\/(\w+)$/.exec(url)?.[1];
    expect(database).toBeDefined();
    expect(read('deploy/temporal/setup-schema.sh')).toContain(`APP_DATABASES-${database}`);
  });
});
