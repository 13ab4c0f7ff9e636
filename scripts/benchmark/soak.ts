/**
 * The soak: thousands of open orders with their matches on one order worker process, the one `npm start` runs
 * (`node dist/src/bin/order-worker.js`, its sticky cache as it sizes it), and the validator beside it. Opens the orders, then
 * confirms a share, cancels a share and lets a share expire, and last confirms every order still open, to show each
 * can be. Samples the order worker's RSS all along from /proc, and fails if either process exits.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { publishMenuEvent } from '../../src/clients/catering-match-client';
import {
  cancelOrder,
  CommandRefusedError,
  OrderFinishedError,
  OrderNotAnsweringError,
  submitOrder,
} from '../../src/clients/order-client';
import type { AppProcess } from '../../test/support/app-processes';
import { waitForCount, withAppProcesses } from './app-processes';
import type { AppProcessSettings } from './app-processes';
import type { Row } from './table';

export interface SoakSettings extends AppProcessSettings {
  orders: number;
}

export interface SoakResult {
  orders: number;
  openWorkflows: number;
  stickyCache: string;
  baseRssMiB: number;
  openRssMiB: number;
  peakRssMiB: number;
  rssPerOpenWorkflowKiB: number;
  workerRestarts: number;
  confirmed: number;
  cancelled: number;
  expired: number;
  confirmedAfterwards: number;
  /** CancelOrders the busy order worker did not answer within the server's wait, sent again (a repeat is safe). */
  cancelsSentAgain: number;
  openSeconds: number;
  totalSeconds: number;
}

const kib = (status: string, field: string): number =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);

/** A repeated CancelOrder's answer when the first one was applied: the order is, or is being, Cancelled. */
const cancelledAlready = (err: unknown): boolean =>
  (err instanceof OrderFinishedError && err.status === 'Cancelled') ||
  (err instanceof CommandRefusedError && err.answer.status === 'Cancelled');

/** RSS now and the peak so far (VmHWM) of a running process, in bytes; zeros once it has exited. */
function memoryOf(process: AppProcess): { rss: number; peak: number } {
  if (process.pid === undefined) return { rss: 0, peak: 0 };
  const status = readFileSync(`/proc/${process.pid}/status`, 'utf8');
  return { rss: kib(status, 'VmRSS') * 1024, peak: kib(status, 'VmHWM') * 1024 };
}

const card = { number: '4242424242424242', expiry: '12/39', holder: 'Ada Lovelace' };

/** Runs `work` over `items` with at most `width` at once. */
async function pooled<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function soak(client: Client, settings: SoakSettings): Promise<SoakResult> {
  const { orders, log } = settings;
  return withAppProcesses(settings, {}, async ({ worker, validator, stickyCache, startedAt: started }) => {
    let peak = 0;
    const watch = () => {
      if (worker.pid === undefined || validator.pid === undefined)
        throw new Error(`a worker process exited during the soak:\n${worker.log}\n${validator.log}`);
      peak = Math.max(peak, memoryOf(worker).peak);
    };
    const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(worker).peak)), 1000);
    try {
      const base = memoryOf(worker).rss;
      const batch = `soak-${Date.now().toString(36)}`;
      const ids = Array.from({ length: orders }, (_, i) => `${batch}-${i}`);
      // Shares of the orders: 20% confirmed, 10% cancelled, 10% left to expire; the rest stay open until the end.
      const role = (i: number) =>
        i % 10 < 2 ? 'confirm' : i % 10 === 2 ? 'cancel' : i % 10 === 3 ? 'expire' : 'open';
      const byRole = (r: string) => ids.filter((_, i) => role(i) === r);
      const expireWithin = `${Math.max(120, Math.ceil(orders / 10))} seconds`;
      log(
        `soak: opening ${orders} orders, two menus each (the ${byRole('expire').length} to expire within ${expireWithin})`,
      );
      await pooled(
        ids.map((id, i) => ({ id, i })),
        50,
        async ({ id, i }) => {
          watch();
          await submitOrder(client, {
            orderId: id,
            customerId: `customer-${i % 50}`,
            amount: 40 + (i % 100),
            currency: 'EUR',
            card,
            menus: [
              { menuId: 'A', catererId: 'caterer-anna' },
              { menuId: 'B', catererId: 'caterer-ben' },
            ],
            confirmWithin: role(i) === 'expire' ? expireWithin : '7 days',
          });
        },
      );
      const ofBatch = `WorkflowId STARTS_WITH "order-${batch}-"`;
      await waitForCount(
        client,
        `${ofBatch} AND (OrderStatus = "Validated" OR OrderStatus = "Expired")`,
        orders,
        watch,
      );
      await waitForCount(
        client,
        `WorkflowId STARTS_WITH "catering-match-${batch}-" AND MatchStatus = "AwaitingConfirmations"`,
        orders - byRole('expire').length,
        watch,
      );
      const openSeconds = (performance.now() - started) / 1000;
      const open = memoryOf(worker).rss;
      const openWorkflows = 2 * orders;
      log(
        `soak: ${orders} orders and their matches open in ${openSeconds.toFixed(0)} s; order worker RSS ${(open / 2 ** 20).toFixed(0)} MiB`,
      );

      const confirm = (id: string) =>
        Promise.all([
          publishMenuEvent(client, 'CustomerConfirmedMenu', { orderId: id, menuId: 'A', eventId: `${id}-c` }),
          publishMenuEvent(client, 'CatererConfirmedMenu', {
            orderId: id,
            menuId: 'A',
            catererId: 'caterer-anna',
            eventId: `${id}-k`,
          }),
        ]);
      // With 20,000 workflows open and a cache of a few hundred, an order's task may wait behind many replays longer
      // than the server holds the update: the command is sent again, as a user would after OrderNotAnsweringError.
      let cancelsSentAgain = 0;
      const cancel = async (id: string): Promise<void> => {
        for (let attempt = 1; ; attempt++) {
          try {
            await cancelOrder(client, id, 'soak');
            return;
          } catch (err) {
            if (err instanceof OrderNotAnsweringError) {
              cancelsSentAgain++;
              continue;
            }
            // The unanswered one was applied meanwhile: the repeat finds the order closed as Cancelled, or refused
            // by it while it closes.
            if (attempt > 1 && cancelledAlready(err)) return;
            throw err;
          }
        }
      };
      log('soak: confirming 20%, cancelling 10%, the 10% to expire expiring');
      await pooled(byRole('confirm'), 50, async (id) => (watch(), confirm(id)));
      await pooled(byRole('cancel'), 50, async (id) => (watch(), cancel(id)));
      const counted = (status: string) => client.workflow.count(`${ofBatch} AND OrderStatus = "${status}"`);
      await waitForCount(client, `${ofBatch} AND OrderStatus = "Confirmed"`, byRole('confirm').length, watch);
      await waitForCount(client, `${ofBatch} AND OrderStatus = "Cancelled"`, byRole('cancel').length, watch);
      await waitForCount(client, `${ofBatch} AND OrderStatus = "Expired"`, byRole('expire').length, watch);
      const confirmed = (await counted('Confirmed')).count;
      const cancelled = (await counted('Cancelled')).count;
      const expired = (await counted('Expired')).count;

      log(`soak: confirming the ${byRole('open').length} orders still open`);
      await pooled(byRole('open'), 50, async (id) => (watch(), confirm(id)));
      await waitForCount(
        client,
        `${ofBatch} AND OrderStatus = "Confirmed"`,
        confirmed + byRole('open').length,
        watch,
      );
      const confirmedAfterwards = (await counted('Confirmed')).count - confirmed;
      watch();
      return {
        orders,
        openWorkflows,
        stickyCache,
        baseRssMiB: base / 2 ** 20,
        openRssMiB: open / 2 ** 20,
        peakRssMiB: peak / 2 ** 20,
        rssPerOpenWorkflowKiB: (open - base) / 1024 / openWorkflows,
        workerRestarts: 0,
        confirmed,
        cancelled,
        expired,
        confirmedAfterwards,
        cancelsSentAgain,
        openSeconds,
        totalSeconds: (performance.now() - started) / 1000,
      };
    } finally {
      clearInterval(sampler);
    }
  });
}

export const soakRows = (soak: SoakResult): Row[] => [
  [
    `soak: ${soak.orders} orders + matches open`,
    `peak RSS ${soak.peakRssMiB.toFixed(0)} MiB (base ${soak.baseRssMiB.toFixed(0)}, open ${soak.openRssMiB.toFixed(0)}; cache ${soak.stickyCache})`,
    'peak < 1024 MiB',
    soak.peakRssMiB < 1024,
  ],
  [
    'soak: RSS per open workflow',
    `${soak.rssPerOpenWorkflowKiB.toFixed(1)} KiB (${soak.openWorkflows} workflows open in ${soak.openSeconds.toFixed(0)} s)`,
    '',
    undefined,
  ],
  [
    'soak: order worker restarts',
    `${soak.workerRestarts} (confirmed ${soak.confirmed}, cancelled ${soak.cancelled} (${soak.cancelsSentAgain} sent again, unanswered in time), expired ${soak.expired}, ` +
      `then the ${soak.confirmedAfterwards} still open confirmed; ${soak.totalSeconds.toFixed(0)} s in all)`,
    '0',
    soak.workerRestarts === 0,
  ],
];
