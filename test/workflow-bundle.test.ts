import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  bundleManifest,
  workflowBundleManifestPath,
  workflowBundlePath,
  workflowCode,
} from '../src/infra/workflow-bundle';

// The module finds the project by its package.json; here the project is a temporary tree.
let mockRoot = '';
jest.mock('../src/infra/project-root', () => ({ projectRoot: () => mockRoot }));

/**
 * docs/running.md: the order worker uses the prebuilt bundle unless one of its files (a workflow, `src/contract/`,
 * their compiled copies) is newer or a bundled package's version changed; then it bundles at start and says why.
 */
describe('the order worker choosing between the prebuilt workflow bundle and bundling at start', () => {
  const builtAt = new Date('2026-12-01T10:00:00Z');
  const before = new Date('2026-12-01T09:00:00Z');
  const after = new Date('2026-12-01T11:00:00Z');
  const workflowPackage = 'node_modules/@temporalio/workflow';
  const sources = [
    'workflows/index.ts',
    'src/contract/messages.ts',
    'dist/workflows/index.js',
    'dist/src/contract/messages.js',
  ];

  const write = (path: string, text: string, at = before) => {
    const file = join(mockRoot, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, at, at);
  };
  const setPackageVersion = (version: string) =>
    write(`${workflowPackage}/package.json`, JSON.stringify({ name: '@temporalio/workflow', version }));

  beforeEach(() => {
    mockRoot = mkdtempSync(join(tmpdir(), 'catering-bundle-'));
    write('package.json', JSON.stringify({ name: 'catering-orders', version: '0.1.0' }));
    for (const source of sources) write(source, '// source\n');
    setPackageVersion('1.24.0');
    // The banners webpack heads each module with, which the build reads the manifest from.
    const code = [
      '/*!*** ./dist/workflows/index.js ***!*/',
      '/*!*** ./dist/src/contract/messages.js ***!*/',
      `/*!*** ./${workflowPackage}/lib/index.js ***!*/`,
    ].join('\n');
    write('dist/workflow-bundle.json', JSON.stringify(bundleManifest(code)));
    write('dist/workflow-bundle.js', code, builtAt);
  });

  afterEach(() => rmSync(mockRoot, { recursive: true, force: true }));

  const workflowsPath = () => join(mockRoot, 'workflows');

  test('when the bundle is newer than every file it was made of and its packages are as built, then it is used', () => {
    expect(workflowBundleManifestPath()).toBe(join(mockRoot, 'dist', 'workflow-bundle.json'));
    expect(workflowCode(workflowsPath())).toEqual({
      code: { workflowBundle: { codePath: workflowBundlePath() } },
      description: 'workflows from the prebuilt dist/workflow-bundle.js',
    });
  });

  test.each(sources)(
    'when %s is newer than the bundle, then it bundles at start naming that file',
    (source) => {
      utimesSync(join(mockRoot, source), after, after);
      expect(workflowCode(workflowsPath())).toEqual({
        code: { workflowsPath: workflowsPath() },
        description: `workflows bundled at start from workflows (dist/workflow-bundle.js is older than ${source}; npm run build makes one)`,
      });
    },
  );

  test("when a bundled package's version changed since the build, then it bundles at start naming the package and both versions", () => {
    setPackageVersion('1.25.0');
    expect(workflowCode(workflowsPath())).toEqual({
      code: { workflowsPath: workflowsPath() },
      description: `workflows bundled at start from workflows (dist/workflow-bundle.js was built with ${workflowPackage} 1.24.0, now 1.25.0; npm run build makes one)`,
    });
  });

  test('when there is no prebuilt bundle, then it bundles at start saying so', () => {
    rmSync(join(mockRoot, 'dist', 'workflow-bundle.js'));
    expect(workflowCode(workflowsPath()).description).toBe(
      'workflows bundled at start from workflows (no prebuilt dist/workflow-bundle.js; npm run build makes one)',
    );
  });
});
