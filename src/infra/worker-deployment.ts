/**
 * Worker Versioning for the order worker: it joins the worker deployment `catering-orders` as this release's version
 * (`release-2`) unless WORKER_DEPLOYMENT_NAME / WORKER_BUILD_ID say otherwise (src/infra/config.ts), however it is started.
 * Both workflows are pinned: each finishes on the code it started on. The validator stays unversioned: its task
 * queue runs activities only, which carry no replay state.
 */
import { isGrpcServiceError } from '@temporalio/client';
import type { Client } from '@temporalio/client';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
import { dataDir, keySource, supersededReleases } from './config';
import type { DeploymentVersion, Env, SupersededRelease } from './config';

/** gRPC status NOT_FOUND. */
const grpcNotFound = 5;
/** gRPC status FAILED_PRECONDITION. */
const grpcFailedPrecondition = 9;

/** The order worker's deployment options for `version`: versioned, its workflows pinned by default. */
export function orderWorkerDeployment(version: DeploymentVersion): WorkerDeploymentOptions {
  return { version, useWorkerVersioning: true, defaultVersioningBehavior: 'PINNED' };
}

/** How many workflows still run on `version` (visibility's TemporalWorkerDeploymentVersion). */
export async function runningOn(client: Client, version: DeploymentVersion): Promise<number> {
  const query = `ExecutionStatus = 'Running' AND TemporalWorkerDeploymentVersion = '${version.deploymentName}:${version.buildId}'`;
  return (await client.workflow.count(query)).count;
}

/** Open workflows pinned to each version of `deploymentName` other than `ownBuildId`, versions with none left out. */
export async function pinnedToOtherVersions(
  client: Client,
  deploymentName: string,
  ownBuildId: string | undefined,
): Promise<{ buildId: string; open: number }[]> {
  let buildIds: string[];
  try {
    const { workerDeploymentInfo } = await client.workflowService.describeWorkerDeployment({
      namespace: client.options.namespace,
      deploymentName,
    });
    buildIds = (workerDeploymentInfo?.versionSummaries ?? []).flatMap((v) =>
      v.deploymentVersion?.buildId ? [v.deploymentVersion.buildId] : [],
    );
  } catch (err) {
    if (isGrpcServiceError(err) && Number(err.code) === grpcNotFound) return [];
    throw err;
  }
  const counted = await Promise.all(
    buildIds
      .filter((buildId) => buildId !== ownBuildId)
      .map(async (buildId) => ({ buildId, open: await runningOn(client, { deploymentName, buildId }) })),
  );
  return counted.filter(({ open }) => open > 0);
}

const shellWord = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * How to run a superseded release's worker beside this one: from a worktree at its commit, with this checkout's keys
 * and data folder (the workflows' payloads are encrypted with them), as the version its workflows are pinned to.
 */
export function supersededWorkerCommand(
  release: SupersededRelease,
  deploymentName: string,
  env?: Env,
): string {
  const folder = `../catering-${release.name.replace(/\W+/g, '-')}`;
  const keys = keySource(env);
  const settings = [
    ...(keys.kind === 'file' ? [`CATERING_CODEC_KEY_FILE=${shellWord(keys.path)}`] : []),
    `CATERING_DATA_DIR=${shellWord(dataDir(env))}`,
    `WORKER_DEPLOYMENT_NAME=${shellWord(deploymentName)}`,
    `WORKER_BUILD_ID=${shellWord(release.buildId)}`,
  ];
  return (
    `git worktree add ${folder} ${release.commit} && cd ${folder} && npm ci && ${settings.join(' ')} npm run worker` +
    (keys.kind === 'env' ? " (with this worker's CATERING_CODEC_KEYS set)" : '')
  );
}

/**
 * Says, for each other version of the deployment that still has open pinned workflows, how many wait for a worker
 * of that version and how to start one: a worker of another version never runs them, and nothing else would tell.
 * For a release this code supersedes, the worker to start is that release's code, from its commit.
 */
export async function reportPinnedElsewhere(
  client: Client,
  deploymentName: string,
  own: DeploymentVersion | undefined,
  log: (line: string) => void,
  env?: Env,
): Promise<void> {
  const self = own ? `this worker (version ${own.buildId})` : 'this unversioned worker';
  for (const { buildId, open } of await pinnedToOtherVersions(client, deploymentName, own?.buildId)) {
    const waiting = `${open} open workflow${open === 1 ? ' is' : 's are'} pinned to version ${buildId}`;
    const release = supersededReleases.find((r) => r.buildId === buildId);
    log(
      release
        ? `${waiting} (${release.name}) of deployment ${deploymentName}, which ${self} does not run: they wait ` +
            `for ${release.name}'s code. Run its worker from a checkout of this repository: ` +
            `${supersededWorkerCommand(release, deploymentName, env)}; stop it once \`npm run cli -- versions\` ` +
            `shows 0 running on ${buildId}`
        : `${waiting} of deployment ${deploymentName}, which ${self} does not run: they wait for a worker of that ` +
            `version. Start one with WORKER_DEPLOYMENT_NAME=${deploymentName} WORKER_BUILD_ID=${buildId} npm run worker`,
    );
  }
}

/**
 * A deployment with no current version sends new workflows to unversioned workers only, so its first version would
 * wait for an operator before it ran anything. The first version of a deployment is made current here, and so is a
 * version whose deployment's current one is a release this code supersedes (`supersededReleases`): a user who pulls a
 * new release and starts it must not see new orders wait for the old release's worker. Any other later version stays
 * a candidate until an operator ramps it or makes it current (docs/changing-workflows.md).
 */
export async function bootstrapCurrentVersion(
  client: Client,
  version: DeploymentVersion,
  log: (line: string) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const service = client.workflowService;
  const namespace = client.options.namespace;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let notYet: Error | undefined;
    try {
      const { workerDeploymentInfo } = await service.describeWorkerDeployment({
        namespace,
        deploymentName: version.deploymentName,
      });
      const current = workerDeploymentInfo?.routingConfig?.currentDeploymentVersion;
      const known = workerDeploymentInfo?.versionSummaries?.some(
        (v) => v.deploymentVersion?.buildId === version.buildId,
      );
      const superseded = supersededReleases.find(
        (r) => r.buildId === current?.buildId && r.buildId !== version.buildId,
      );
      if (current?.buildId && !superseded) {
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
          identity: superseded
            ? `order worker: supersedes ${superseded.name}`
            : 'order worker: first version of its deployment',
        });
        log(
          superseded
            ? `version ${version.buildId} made current in place of version ${superseded.buildId} (${superseded.name}, ` +
                `which this code supersedes) of deployment ${version.deploymentName}: new workflows run ` +
                `${version.buildId}; those pinned to ${superseded.buildId} stay on it`
            : `version ${version.buildId} made current: the first version of deployment ${version.deploymentName}`,
        );
        return;
      }
    } catch (err) {
      // NOT_FOUND until the worker's first poll registers the deployment; FAILED_PRECONDITION while the version has
      // not yet polled every task queue type the current one has.
      if (!isGrpcServiceError(err) || ![grpcNotFound, grpcFailedPrecondition].includes(Number(err.code)))
        throw err;
      notYet = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        notYet === undefined
          ? `deployment ${version.deploymentName} did not register version ${version.buildId} in time`
          : `version ${version.buildId} could not be made current in time: ${String(notYet)}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
