/** Orders from visibility: the query, one line per order, and a page at a time for callers that page (the desk). */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { CustomerIdAttribute, orderStatuses, OrderStatusAttribute, WorkflowType } from '../contract';
import type { OrderStatus } from '../contract';

export interface OrderSummary {
  orderId: string;
  workflowId: string;
  runId: string;
  status: OrderStatus | undefined;
  customerId: string | undefined;
  executionStatus: string;
  startTime: Date;
  closeTime?: Date;
  /** From the memo `submitOrder` writes; absent for orders started by hand. */
  amount?: number;
  currency?: string;
}

/** An order's line, from its visibility record: the memo is decrypted by the client's data converter. */
export function summaryOf(info: WorkflowExecutionInfo): OrderSummary {
  const status = info.typedSearchAttributes.get(OrderStatusAttribute);
  const summary: OrderSummary = {
    orderId: info.workflowId.replace(/^order-/, ''),
    workflowId: info.workflowId,
    runId: info.runId,
    status: orderStatuses.find((s) => s === status),
    customerId: info.typedSearchAttributes.get(CustomerIdAttribute),
    executionStatus: info.status.name,
    startTime: info.startTime,
  };
  if (info.closeTime) summary.closeTime = info.closeTime;
  const { amount, currency } = info.memo ?? {};
  if (typeof amount === 'number') summary.amount = amount;
  if (typeof currency === 'string') summary.currency = currency;
  return summary;
}

export interface OrderPageQuery {
  status?: OrderStatus;
  customerId?: string;
  pageSize: number;
  /** The `nextPageToken` of the page before, as given. */
  pageToken?: string;
}

export interface OrderPage {
  orders: OrderSummary[];
  /** Absent on the last page. */
  nextPageToken?: string;
}

/** A visibility query for orders, the values quoted as the query language quotes them. */
export function orderQuery(filter: { status?: OrderStatus; customerId?: string }): string {
  const clauses = [`WorkflowType = '${WorkflowType.order}'`];
  if (filter.status !== undefined) clauses.push(`${OrderStatusAttribute.name} = '${filter.status}'`);
  if (filter.customerId !== undefined)
    clauses.push(`${CustomerIdAttribute.name} = ${JSON.stringify(filter.customerId)}`);
  return clauses.join(' AND ');
}

/** One page of orders, newest first; the server's page token is handed out as base64url and taken back the same. */
export async function listOrderPage(client: Client, query: OrderPageQuery): Promise<OrderPage> {
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    query: orderQuery(query),
    pageSize: query.pageSize,
    nextPageToken: query.pageToken === undefined ? null : Buffer.from(query.pageToken, 'base64url'),
  });
  const orders = await Promise.all(
    response.executions.map(async (raw) =>
      summaryOf(
        await executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, client.options.namespace),
      ),
    ),
  );
  const token = response.nextPageToken;
  return token?.length ? { orders, nextPageToken: Buffer.from(token).toString('base64url') } : { orders };
}
