/**
 * CPU seconds spent by this process (every thread: the client, the workers' main and workflow threads) and by its
 * descendants (the dev server, or the cluster's processes), so that a phase can say where its pairs' CPU went. On a
 * machine whose cores are full, pairs/s follows CPU per pair; the split says which side to cut.
 */
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

function statOf(pid: number): { ppid: number; seconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { ppid: Number(fields[1]), seconds: ticks / ticksPerSecond };
  } catch {
    return undefined;
  }
}

/** CPU seconds of every live descendant of this process, children's reaped children included (cutime, cstime). */
function descendantsSeconds(): number {
  const stats = new Map<number, { ppid: number; seconds: number }>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = statOf(pid);
    if (stat) stats.set(pid, stat);
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = stats.get(pid)?.ppid; p !== undefined && p > 1; p = stats.get(p)?.ppid) {
      if (p === process.pid) return true;
    }
    return false;
  };
  let seconds = 0;
  for (const [pid, stat] of stats) if (isDescendant(pid)) seconds += stat.seconds;
  return seconds;
}

export interface CpuSplit {
  /** This process: client, workers, codec. */
  workerSeconds: number;
  /** Its descendants: the Temporal server. */
  serverSeconds: number;
}

/** Starts counting; the returned function gives the CPU seconds spent since, on each side. */
export function cpuMeter(): () => CpuSplit {
  const ownStart = process.cpuUsage();
  const serverStart = descendantsSeconds();
  return () => {
    const own = process.cpuUsage(ownStart);
    return {
      workerSeconds: (own.user + own.system) / 1e6,
      serverSeconds: descendantsSeconds() - serverStart,
    };
  };
}
