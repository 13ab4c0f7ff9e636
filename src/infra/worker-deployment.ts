/**
 * Worker Versioning for the order worker: it joins the worker deployment WORKER_DEPLOYMENT_NAME (`npm start` and
 * compose name it `catering-orders`) as the version WORKER_BUILD_ID, by default the package version and a hash of
 * the workflow code it runs, so that any change to the workflows is a new version and an unchanged rebuild is not.
 * Unset, the worker is unversioned (tests, and a cluster that has not adopted versioning).
 *
 * Both workflows are pinned (`defaultVersioningBehavior: 'PINNED'`): an Order lives until its confirmation deadline
 * (7 days by default) and its match as long, and a pinned workflow finishes on the code it started on, so a new
 * version needs no patch for them. The validator stays unversioned: its task queue runs activities only, which
 * carry no replay state, and it is deployed on its own schedule.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isGrpcServiceError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { packageVersion } from './workflow-bundle';
import type { WorkflowCode } from './workflow-bundle';

/** gRPC status NOT_FOUND. */
const grpcNotFound = 5;

/** Every file under `dir`, sorted, for a stable hash of a source tree. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });

/** A short hash of the workflow code: the prebuilt bundle's bytes, or the sources bundled at start. */
export function workflowCodeHash(code: WorkflowCode): string {
  const hash = createHash('sha256');
  if (code.workflowBundle) hash.update(readFileSync(code.workflowBundle.codePath));
  else for (const file of filesUnder(join(code.workflowsPath, '..'))) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}

/** The worker's deployment settings (WORKER_DEPLOYMENT_NAME, WORKER_BUILD_ID), or undefined for an unversioned worker. */
export function orderWorkerDeployment(
  config: { deploymentName?: string; buildId?: string },
  code: WorkflowCode,
): WorkerDeploymentOptions | undefined {
  const { deploymentName } = config;
  if (deploymentName === undefined) return undefined;
  const buildId = config.buildId ?? `${packageVersion('.') ?? '0'}-${workflowCodeHash(code)}`;
  return {
    version: { deploymentName, buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'PINNED',
  };
}

/**
 * A deployment with no current version sends new workflows to unversioned workers only, so its first version would
 * wait for an operator before it ran anything. The first version of a deployment is made current here; a later one
 * stays a candidate until an operator ramps it or makes it current (docs/changing-workflows.md).
 */
export async function bootstrapCurrentVersion(
  client: Client,
  version: { deploymentName: string; buildId: string },
  log: (line: string) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const service = client.workflowService;
  const namespace = client.options.namespace;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { workerDeploymentInfo } = await service.describeWorkerDeployment({
        namespace,
        deploymentName: version.deploymentName,
      });
      const current = workerDeploymentInfo?.routingConfig?.currentDeploymentVersion;
      const known = workerDeploymentInfo?.versionSummaries?.some(
        (v) => v.deploymentVersion?.buildId === version.buildId,
      );
      if (current?.buildId) {
        log(
          current.buildId === version.buildId
            ? `version ${version.buildId} is the current version of deployment ${version.deploymentName}`
            : `deployment ${version.deploymentName} runs ${current.buildId} as current; this version ${version.buildId} waits to be ramped or made current`,
        );
        return;
      }
      if (known) {
        await service.setWorkerDeploymentCurrentVersion({
          namespace,
          deploymentName: version.deploymentName,
          buildId: version.buildId,
          identity: 'order worker: first version of its deployment',
        });
        log(
          `version ${version.buildId} made current: the first version of deployment ${version.deploymentName}`,
        );
        return;
      }
    } catch (err) {
      // NOT_FOUND until the worker's first poll registers the deployment.
      if (!isGrpcServiceError(err) || Number(err.code) !== grpcNotFound) throw err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `deployment ${version.deploymentName} did not register version ${version.buildId} in time`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
