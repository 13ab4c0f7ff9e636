/**
 * The heap phase: what a cached workflow holds. The app's order worker (`node dist/src/bin/order-worker.js`, as the
 * soak runs it) is started with an inspector; its workflow thread's live heap (after a full collection) is read with
 * a few orders open, then again with `--heap-orders` more open and all of them cached, and the difference is divided
 * by the workflows opened. A sampling heap profile of that thread over the same span says what the new heap is, by
 * the module and function that allocated it.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { workflowBundlePath } from '../../src/infra/workflow-bundle';
import { openOrders } from '../../test/support/open-orders';
import { freePort } from '../../test/support/prometheus';
import { waitForCount, withAppProcesses } from './app-processes';
import type { AppProcessSettings } from './app-processes';
import { Inspector } from './inspector';
import type { Session } from './inspector';
import type { Row } from './table';

export interface HeapSettings extends AppProcessSettings {
  /** Orders opened between the two readings, each with its match: twice as many workflows. */
  orders: number;
}

export interface HeapResult {
  stickyCache: string;
  workflowThreads: number;
  cachedBefore: number;
  cachedAfter: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  /** The workflow thread's live heap per cached workflow, Order and CateringMatch alike. */
  heapPerCachedWorkflowKiB: number;
  /** What holds it: the sampled live allocations per cached workflow, by module and function, largest first. */
  heldBy: { site: string; kibPerWorkflow: number }[];
}

const warmOrders = 10;

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** The bundle's module at each line: webpack writes `/***\/ "./path"` before each module. */
function bundleModules(): (line: number) => string {
  const starts: [number, string][] = [];
  readFileSync(workflowBundlePath(), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const found = /^\/\*{3}\/ "\.\/(.*)"/.exec(text);
      if (found) starts.push([i, found[1]!.replace(/^dist\//, '').replace(/^node_modules\//, '')]);
    });
  return (line) => {
    let module = '(bundle)';
    for (const [start, name] of starts) {
      if (start > line) break;
      module = name;
    }
    return module;
  };
}

/**
 * The sampled live bytes by allocating site: the bundle's module and function, or the script and function. A
 * builtin (`Map`, `join`) is named with the function that called it, so that the bytes go to whoever asked.
 */
function sitesOf(profile: { head: SamplingNode }): Map<string, number> {
  const moduleAt = bundleModules();
  const sites = new Map<string, number>();
  const siteOf = ({ functionName, url, lineNumber }: SamplingNode['callFrame']) =>
    `${url.includes('workflow-bundle') ? moduleAt(lineNumber) : url.split('/').pop()} ${functionName || '(anonymous)'}`;
  const visit = (node: SamplingNode, caller: string) => {
    const site = node.callFrame.url ? siteOf(node.callFrame) : `${node.callFrame.functionName} in ${caller}`;
    if (node.selfSize > 0) sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
    const next = node.callFrame.url ? site : caller;
    for (const child of node.children) visit(child, next);
  };
  visit(profile.head, '(root)');
  return sites;
}

async function liveHeap(threads: Session[]): Promise<number> {
  let used = 0;
  for (const thread of threads) {
    await thread.send('HeapProfiler.collectGarbage');
    used += (await thread.send<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
  }
  return used;
}

/** Waits until every order of the batch is validated and every match awaits its confirmations: nothing in flight. */
async function settled(client: Client, batch: string, orders: number): Promise<void> {
  await waitForCount(
    client,
    `WorkflowId STARTS_WITH "order-${batch}-" AND OrderStatus = "Validated"`,
    orders,
  );
  await waitForCount(
    client,
    `WorkflowId STARTS_WITH "catering-match-${batch}-" AND MatchStatus = "AwaitingConfirmations"`,
    orders,
  );
}

export async function heapPhase(client: Client, settings: HeapSettings): Promise<HeapResult> {
  const { orders, log } = settings;
  const port = await freePort();
  const inspect = { NODE_OPTIONS: `--inspect=127.0.0.1:${port}` };
  return withAppProcesses(settings, inspect, async ({ stickyCache, cacheSize }) => {
    const cachedAfter = 2 * (warmOrders + orders);
    if (cachedAfter > cacheSize)
      throw new Error(
        `--heap-orders ${orders}: ${cachedAfter} workflows do not fit a sticky cache of ${cacheSize}`,
      );
    const batch = `heap-${Date.now().toString(36)}`;
    const ids = Array.from({ length: warmOrders + orders }, (_, i) => `${batch}-${i}`);
    await openOrders(client, ids.slice(0, warmOrders));
    await settled(client, batch, warmOrders);

    const inspector = await Inspector.connect(port);
    try {
      const threads = await inspector.workerThreads();
      if (!threads.length) throw new Error('the order worker runs no worker thread to measure');
      const before = await liveHeap(threads);
      for (const thread of threads)
        await thread.send('HeapProfiler.startSampling', { samplingInterval: 16384 });
      log(`heap: ${warmOrders} orders open; opening ${orders} more, all cached`);
      await openOrders(client, ids.slice(warmOrders));
      await settled(client, batch, warmOrders + orders);
      const after = await liveHeap(threads);
      const sites = new Map<string, number>();
      for (const thread of threads) {
        const { profile } = await thread.send<{ profile: { head: SamplingNode } }>(
          'HeapProfiler.getSamplingProfile',
        );
        for (const [site, bytes] of sitesOf(profile)) sites.set(site, (sites.get(site) ?? 0) + bytes);
      }
      const opened = 2 * orders;
      return {
        stickyCache,
        workflowThreads: threads.length,
        cachedBefore: 2 * warmOrders,
        cachedAfter,
        heapBeforeMiB: before / 2 ** 20,
        heapAfterMiB: after / 2 ** 20,
        heapPerCachedWorkflowKiB: (after - before) / 1024 / opened,
        heldBy: [...sites]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 16)
          .map(([site, bytes]) => ({ site, kibPerWorkflow: bytes / 1024 / opened })),
      };
    } finally {
      inspector.close();
    }
  });
}

export const heapRows = (heap: HeapResult): Row[] => [
  [
    'heap: live heap per cached workflow',
    `${heap.heapPerCachedWorkflowKiB.toFixed(0)} KiB (workflow thread after a full collection: ${heap.heapBeforeMiB.toFixed(1)} MiB with ${heap.cachedBefore} cached, ${heap.heapAfterMiB.toFixed(1)} MiB with ${heap.cachedAfter}; cache ${heap.stickyCache})`,
    '',
    undefined,
  ],
  ...heap.heldBy.map(({ site, kibPerWorkflow }): Row => [
    `heap: held per cached workflow, allocated by ${site}`,
    `${kibPerWorkflow.toFixed(1)} KiB`,
    '',
    undefined,
  ]),
];
