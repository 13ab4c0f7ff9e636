import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockedPackage {
  version?: string;
  optionalDependencies?: Record<string, string>;
  /** npm's mark for a package with an install script, a `binding.gyp` it would compile included. */
  hasInstallScript?: boolean;
}
interface Lock {
  packages: Record<string, LockedPackage>;
}

const lock = JSON.parse(readFileSync(join(__dirname, '..', 'package-lock.json'), 'utf8')) as Lock;
const { allowScripts } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  allowScripts: Record<string, boolean>;
};

/** Where npm would look for `name` as seen from the package at `from`: its own node_modules, then each parent's. */
function resolveLocked(lock: Lock, from: string, name: string): LockedPackage | undefined {
  let dir = from;
  for (;;) {
    const found = lock.packages[`${dir ? `${dir}/` : ''}node_modules/${name}`];
    if (found) return found;
    if (dir === '') return undefined;
    const at = dir.lastIndexOf('/node_modules/');
    dir = at < 0 ? '' : dir.slice(0, at);
  }
}

/**
 * Optional dependencies (the per-platform native binaries) that the lock leaves out. npm omits the ones the registry
 * did not have when the lock was written, and `npm ci` then refuses the lock on every machine.
 */
function missingOptionalDependencies(lock: Lock): string[] {
  return Object.entries(lock.packages).flatMap(([path, pkg]) =>
    Object.keys(pkg.optionalDependencies ?? {})
      .filter((name) => resolveLocked(lock, path, name) === undefined)
      .map((name) => `${path} -> ${name}`),
  );
}

/**
 * Locked packages with an install script that package.json's `allowScripts` does not list as reviewed and not
 * needed (`false`): each of these could compile during `npm ci`.
 */
function unreviewedInstallScripts(lock: Lock, allowScripts: Record<string, boolean>): string[] {
  return Object.entries(lock.packages)
    .filter(([, pkg]) => pkg.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .filter((name) => allowScripts[name] !== false);
}

/** The platforms developers and images run on; the worker's workflow bundler needs swc's native binding on each. */
const swcPlatforms = ['darwin-x64', 'darwin-arm64', 'win32-x64-msvc', 'linux-x64-gnu', 'linux-arm64-gnu'];

function missingSwcBinaries(lock: Lock): string[] {
  const swc = lock.packages['node_modules/@swc/core'];
  if (!swc?.version) return ['@swc/core itself'];
  return swcPlatforms.filter(
    (platform) => lock.packages[`node_modules/@swc/core-${platform}`]?.version !== swc.version,
  );
}

describe('package-lock.json installs with `npm ci` on every platform', () => {
  test('when the lock is read, then every optional dependency of every package is locked', () => {
    expect(missingOptionalDependencies(lock)).toEqual([]);
  });

  test("when the lock is read, then it has @swc/core's native binary for macOS, Windows and Linux, at its version", () => {
    expect(missingSwcBinaries(lock)).toEqual([]);
  });

  test('when the lock is read, then every install script in it is one allowScripts says is not needed, so `npm ci` compiles nothing', () => {
    expect(unreviewedInstallScripts(lock, allowScripts)).toEqual([]);
  });

  test('when a package with an install script is added or allowed to run it, then the check names it', () => {
    const tampered: Lock = structuredClone(lock);
    tampered.packages['node_modules/native-thing'] = { version: '1.0.0', hasInstallScript: true };
    expect(unreviewedInstallScripts(tampered, { ...allowScripts, esbuild: true })).toEqual([
      'esbuild',
      'native-thing',
    ]);
  });

  test('when a platform binary is left out of the lock, then both checks name it', () => {
    const tampered: Lock = structuredClone(lock);
    delete tampered.packages['node_modules/@swc/core-darwin-arm64'];
    const stale = tampered.packages['node_modules/@swc/core-win32-x64-msvc'];
    if (stale) stale.version = '1.3.102';
    expect(missingOptionalDependencies(tampered)).toEqual([
      'node_modules/@swc/core -> @swc/core-darwin-arm64',
    ]);
    expect(missingSwcBinaries(tampered)).toEqual(['darwin-arm64', 'win32-x64-msvc']);
  });
});
