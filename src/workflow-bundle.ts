import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { projectRoot } from './project-root';

/** Where `npm run build` writes the order worker's workflows, bundled ahead of time. */
export const workflowBundlePath = (): string => join(projectRoot(), 'dist', 'workflow-bundle.js');
/** Beside it: the files it was made of, so a worker can tell whether it is stale. */
export const workflowBundleManifestPath = (): string => join(projectRoot(), 'dist', 'workflow-bundle.json');

export interface WorkflowBundleManifest {
  /** Paths relative to the project root: each bundled module and, for compiled ones, its TypeScript source. */
  inputs: string[];
}

/**
 * The modules webpack put in the bundle (it heads each with `!*** ./path ***!`), plus the TypeScript each compiled
 * one came from. An empty list means webpack changed its format: the build fails rather than write a manifest that
 * could never tell a stale bundle.
 */
export function bundleInputs(code: string): string[] {
  const modules = [...code.matchAll(/!\*\*\* \.\/(\S+) \*\*\*!/g)].map((m) => m[1]!);
  if (!modules.some((path) => path.includes('workflows/')))
    throw new Error('could not read the bundled modules from the workflow bundle');
  const sources = modules.flatMap((path) =>
    /^dist\/.+\.js$/.test(path) ? [path.slice('dist/'.length).replace(/\.js$/, '.ts')] : [],
  );
  return [...new Set([...modules, ...sources])].sort();
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
  const { inputs } = JSON.parse(readFileSync(manifestPath, 'utf8')) as WorkflowBundleManifest;
  // A source the image does not ship (the .ts files) cannot be newer; a compiled module that is gone can be stale.
  const newer = inputs.find((input) => {
    const path = join(root, input);
    if (!existsSync(path)) return input.startsWith('dist/');
    return statSync(path).mtimeMs > builtAt;
  });
  if (newer) return bundling(`${shown} is older than ${newer}`);
  return {
    code: { workflowBundle: { codePath: bundle } },
    description: `workflows from the prebuilt ${shown}`,
  };
}
