import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Service {
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
}

const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const scripts = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
const appServices = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

/** No Docker engine runs here, so the compose file is checked by reading it against what does run. */
describe('docker-compose.yml, read against the project', () => {
  test('when an app container starts, then it runs an npm script that exists', () => {
    expect(appServices.length).toBeGreaterThanOrEqual(4);
    for (const [name, service] of appServices) {
      const [npm, run, script] = service.command ?? [];
      expect({ name, npm, run, known: script !== undefined && script in scripts }).toEqual({
        name,
        npm: 'npm',
        run: 'run',
        known: true,
      });
    }
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
    expect(codec?.command).toEqual(['npm', 'run', 'codec-server']);
    const port = String(codec?.environment?.CODEC_PORT);
    expect(codec?.ports).toContain(`127.0.0.1:${port}:${port}`);
    const ui = compose.services['temporal-ui']?.environment;
    expect(ui?.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${port}`);
    // The codec server must let the UI's page call it.
    const uiOrigin = String(ui?.TEMPORAL_CORS_ORIGINS);
    expect(String(codec?.environment?.CODEC_CORS_ORIGINS).split(',')).toContain(uiOrigin);
  });
});
