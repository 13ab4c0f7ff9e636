import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../infra/codec/data-converter';
import { projectRoot } from '../infra/project-root';
import type { WorkflowBundleManifest } from '../infra/workflow-bundle';
import {
  bundleManifest,
  preloadedWorkflowModules,
  workflowBundleManifestPath,
  workflowBundlePath,
} from '../infra/workflow-bundle';

/**
 * `npm run build`'s second step: the order worker's workflows bundled once, ahead of time. The failure converter
 * goes in with them: a bundle without it would leave failure messages (which may quote card data) unencrypted.
 */
async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath,
    preloadModules: preloadedWorkflowModules(),
  });
  const { inputs, packages } = bundleManifest(code);
  // The SDK's generated entry point lives in memory only; this file's options are an input too.
  const manifest: WorkflowBundleManifest = {
    inputs: [...inputs, 'dist/src/bin/build-workflow-bundle.js', 'src/bin/build-workflow-bundle.ts']
      .filter((input) => existsSync(join(projectRoot(), input)))
      .sort(),
    packages,
  };
  const path = workflowBundlePath();
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(workflowBundleManifestPath(), JSON.stringify(manifest, null, 2) + '\n');
  // Written last: its time is what the inputs are compared with.
  writeFileSync(path, code);
  console.log(
    `workflow bundle: ${relative(projectRoot(), path)} (${Math.round(code.length / 1024)} KiB, ${manifest.inputs.length} project files, ${Object.keys(packages).length} packages)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
