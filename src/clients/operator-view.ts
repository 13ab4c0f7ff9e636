/** What an operator reads in a terminal: orders as a table, and counts by status, from visibility. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { runningOn } from '../infra/worker-deployment';
import type { OrderSummary } from './order-client';
import { OrderStatusAttribute, orderStatuses, WorkflowType } from '../contract';
import type { OrderStatus } from '../contract';

/** `45s`, `12m`, `3h`, `2d`: enough to tell a fresh order from a stuck one at a glance. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** An order's amount with its currency; `-` for an order started by hand, which has none on record. */
export const formatAmount = (order: Pick<OrderSummary, 'amount' | 'currency'>): string =>
  order.amount === undefined ? '-' : `${order.amount.toFixed(2)} ${order.currency ?? ''}`.trim();

/** One line an order, newest first as listed; an order started by hand has no amount on record (`-`). */
export function formatOrdersTable(orders: readonly OrderSummary[], now: Date): string {
  if (orders.length === 0) return 'no orders';
  return table(
    ['ORDER', 'STATUS', 'CUSTOMER', 'AMOUNT', 'AGE'],
    orders.map((o) => [
      o.orderId,
      o.status ?? o.executionStatus,
      o.customerId ?? '-',
      formatAmount(o),
      formatAge(now.getTime() - o.startTime.getTime()),
    ]),
  );
}

export type OrderCounts = Record<OrderStatus, number> & { total: number };

/** Counts of orders by status, each one visibility count query (works on SQL and Elasticsearch visibility alike). */
export async function countOrders(client: Client): Promise<OrderCounts> {
  const base = `WorkflowType = '${WorkflowType.order}'`;
  const entries = await Promise.all(
    orderStatuses.map(
      async (status) =>
        [
          status,
          (await client.workflow.count(`${base} AND ${OrderStatusAttribute.name} = '${status}'`)).count,
        ] as const,
    ),
  );
  const counts = Object.fromEntries(entries) as Record<OrderStatus, number>;
  return { ...counts, total: (await client.workflow.count(base)).count };
}

export function formatOrderCounts(counts: OrderCounts): string {
  const rows = orderStatuses.map((status) => [status, String(counts[status])]);
  // Stalled orders are the ones an operator acts on: each is a validator outage this order is still in.
  return `${table(['STATUS', 'ORDERS'], [...rows, ['total', String(counts.total)]])}\n\n${
    counts.ValidationStalled > 0
      ? `${counts.ValidationStalled} order(s) in a stall episode: npm run cli -- list --status ValidationStalled`
      : 'no order is in a stall episode'
  }`;
}

export interface VersionCounts {
  deploymentName: string;
  current?: string;
  ramping?: { buildId: string; percentage: number };
  /** Each version the deployment knows, newest first as the server lists them, with its running workflows. */
  versions: { buildId: string; status: string; running: number }[];
}

/**
 * A worker deployment's versions and how many workflows each still runs (visibility's
 * TemporalWorkerDeploymentVersion): what an operator watches drain before retiring a version.
 */
export async function countByVersion(client: Client, deploymentName: string): Promise<VersionCounts> {
  const { workerDeploymentInfo: info } = await client.workflowService.describeWorkerDeployment({
    namespace: client.options.namespace,
    deploymentName,
  });
  const routing = info?.routingConfig;
  const versions = await Promise.all(
    (info?.versionSummaries ?? []).map(async (v) => {
      const buildId = v.deploymentVersion?.buildId ?? '';
      return {
        buildId,
        status: (temporal.api.enums.v1.WorkerDeploymentVersionStatus[v.status ?? 0] ?? String(v.status))
          .replace('WORKER_DEPLOYMENT_VERSION_STATUS_', '')
          .toLowerCase(),
        running: await runningOn(client, { deploymentName, buildId }),
      };
    }),
  );
  const result: VersionCounts = { deploymentName, versions };
  const current = routing?.currentDeploymentVersion?.buildId;
  if (current) result.current = current;
  const ramping = routing?.rampingDeploymentVersion?.buildId;
  if (ramping) result.ramping = { buildId: ramping, percentage: routing?.rampingVersionPercentage ?? 0 };
  return result;
}

export function formatVersionCounts(counts: VersionCounts): string {
  const role = (buildId: string) =>
    buildId === counts.current
      ? 'current'
      : buildId === counts.ramping?.buildId
        ? `ramping ${counts.ramping.percentage}%`
        : '';
  return `deployment ${counts.deploymentName}\n${table(
    ['VERSION', 'STATUS', 'ROLE', 'RUNNING'],
    counts.versions.map((v) => [v.buildId, v.status, role(v.buildId), String(v.running)]),
  )}`;
}
