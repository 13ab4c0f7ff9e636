import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from './project-root';

/**
 * Modules the reusable V8 context evaluates once and shares, frozen, with every workflow it runs (the bundler's
 * `preloadModules`); any other module a workflow imports is evaluated again for each workflow, so that nothing at
 * module level is shared. The message contract and the order's input check hold no per-workflow state, only zod, the
 * defaults and the schemas they build on first use; evaluated per workflow, zod's modules and the order schema built
 * again for every order were about a fifth of the workflow thread in a burst. Resolved from here, so a worker running compiled code preloads the
 * compiled module its workflows import, and the tests the TypeScript one.
 */
export const preloadedWorkflowModules = (): string[] => [
  require.resolve('../contract/messages'),
  require.resolve('../contract/order-input'),
];

/** Where `npm run build` writes the order worker's workflows, bundled ahead of time. */
export const workflowBundlePath = (): string => join(projectRoot(), 'dist', 'workflow-bundle.js');
/** Beside it: what it was made of, so a worker can tell whether it is stale. */
export const workflowBundleManifestPath = (): string => join(projectRoot(), 'dist', 'workflow-bundle.json');

export interface WorkflowBundleManifest {
  /** The project's files in it, relative to the project root: each bundled module and the TypeScript it came from. */
  inputs: string[];
  /** The installed packages in it (folder under the root, e.g. `node_modules/@temporalio/workflow`) and versions. */
  packages: Record<string, string>;
}

/** The version in `<dir>/package.json` (relative to the project root), or undefined where there is none. */
export const packageVersion = (dir: string): string | undefined => {
  const file = join(projectRoot(), dir, 'package.json');
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version
    : undefined;
};

/**
 * Reads the manifest out of the bundle: webpack heads each module with `!*** ./path ***!`. Nothing found means
 * webpack changed its format: the build fails rather than write a manifest that could never tell a stale bundle.
 * Packages are pinned by version, not file time: `npm ci` rewrites node_modules with new times and the same code.
 */
export function bundleManifest(code: string): WorkflowBundleManifest {
  const modules = [...code.matchAll(/!\*\*\* \.\/(\S+) \*\*\*!/g)].map((m) => m[1]!);
  if (!modules.some((path) => path.includes('workflows/')))
    throw new Error('could not read the bundled modules from the workflow bundle');
  const packages: Record<string, string> = {};
  const inputs = new Set<string>();
  for (const path of modules) {
    const pkg = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
    if (pkg) {
      const version = packageVersion(pkg);
      if (version) packages[pkg] = version;
      continue;
    }
    inputs.add(path);
    if (/^dist\/.+\.js$/.test(path)) inputs.add(path.slice('dist/'.length).replace(/\.js$/, '.ts'));
  }
  return { inputs: [...inputs].sort(), packages };
}

export type WorkflowCode =
  | { workflowBundle: { codePath: string }; workflowsPath?: never }
  | { workflowsPath: string; workflowBundle?: never };

/**
 * The prebuilt bundle when there is one at least as new as everything it was made of (no webpack at start, much
 * less memory), else `workflowsPath`, bundled at start as in development; `description` says which and why.
 */
export function workflowCode(workflowsPath: string): { code: WorkflowCode; description: string } {
  const root = projectRoot();
  const bundle = workflowBundlePath();
  const shown = relative(root, bundle);
  const bundling = (why: string) => ({
    code: { workflowsPath },
    description: `workflows bundled at start from ${relative(root, workflowsPath)} (${why}; npm run build makes one)`,
  });
  const manifestPath = workflowBundleManifestPath();
  if (!existsSync(bundle) || !existsSync(manifestPath)) return bundling(`no prebuilt ${shown}`);
  const builtAt = statSync(bundle).mtimeMs;
  const { inputs, packages } = JSON.parse(readFileSync(manifestPath, 'utf8')) as WorkflowBundleManifest;
  // A source the image does not ship (the .ts files) cannot be newer; a compiled module that is gone can be stale.
  const newer = inputs.find((input) => {
    const path = join(root, input);
    if (!existsSync(path)) return input.startsWith('dist/');
    return statSync(path).mtimeMs > builtAt;
  });
  if (newer) return bundling(`${shown} is older than ${newer}`);
  const changed = Object.entries(packages).find(([dir, version]) => packageVersion(dir) !== version);
  if (changed)
    return bundling(`${shown} was built with ${changed[0]} ${changed[1]}, now ${packageVersion(changed[0])}`);
  return {
    code: { workflowBundle: { codePath: bundle } },
    description: `workflows from the prebuilt ${shown}`,
  };
}
