/** The replay phase: the committed histories replayed by one warm replay worker per process. */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { workflowBundle } from '../../test/support/environments';
import type { ReplayChildReport } from './replay-child';
import { loadReplayHistories } from './replay-histories';
import type { Settings } from './settings';
import type { Row } from './table';

/**
 * `test/histories` replayed `rounds` times against the current workflow code, bundled once here: `processes`
 * replay processes side by side, each with one warm replay worker (the SDK replays one history at a time per
 * worker). Timed from `go` to the last process's report; worker creation and the warm-up pass are not.
 */
export async function replay(rounds: number, processes: number) {
  const histories = loadReplayHistories().length;
  const { code } = await workflowBundle();
  const dir = mkdtempSync(join(tmpdir(), 'benchmark-replay-'));
  const codePath = join(dir, 'workflow-bundle.js');
  writeFileSync(codePath, code);
  const children: ChildProcess[] = [];
  try {
    const reports = Array.from({ length: processes }, (_, index) => {
      const child = fork(
        require.resolve('./replay-child'),
        [codePath, String(rounds), String(index), String(processes)],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      children.push(child);
      let ready: () => void = () => undefined;
      const isReady = new Promise<void>((resolve) => (ready = resolve));
      const report = new Promise<ReplayChildReport>((resolve, reject) => {
        child.on('message', (message: 'ready' | ReplayChildReport) => {
          if (message === 'ready') ready();
          else if (message.error) reject(new Error(`replay process ${index}: ${message.error}`));
          else resolve(message);
        });
        child.on('exit', (code) => reject(new Error(`replay process ${index} exited ${code}`)));
      });
      void report.catch(() => undefined);
      return { isReady: Promise.race([isReady, report.then(() => undefined)]), report };
    });
    await Promise.all(reports.map((r) => r.isReady));
    const started = performance.now();
    for (const child of children) child.send('go');
    const done = await Promise.all(reports.map((r) => r.report));
    const seconds = (performance.now() - started) / 1000;
    const replayed = done.reduce((sum, r) => sum + r.replayed, 0);
    return {
      histories,
      rounds,
      processes,
      replayed,
      seconds,
      historiesPerSecond: replayed / seconds,
      perProcess: done.map((r) => r.replayed / r.seconds),
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function replayPhase(
  settings: Pick<Settings, 'replayRounds' | 'replayProcesses'>,
  log: (line: string) => void,
) {
  log(
    `replay: test/histories/release-2 x ${settings.replayRounds} by ${settings.replayProcesses} replay processes`,
  );
  return replay(settings.replayRounds, settings.replayProcesses);
}

export type ReplayResult = Awaited<ReturnType<typeof replay>>;

export const replayRows = (result: ReplayResult): Row[] => [
  [
    'replay: histories/s',
    `${result.historiesPerSecond.toFixed(0)} (${result.replayed} replays of ${result.histories} files, ` +
      `${result.processes} processes: ${result.perProcess.map((r) => r.toFixed(0)).join(' + ')}/s)`,
    '>= 200',
    result.historiesPerSecond >= 200,
  ],
];
