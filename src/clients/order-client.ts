/** Client-side operations on orders, shared by the CLI and the tests. */
import { isDeepStrictEqual } from 'node:util';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import type { Order } from '../../workflows/order';
import { checkOrderSubmitted, describeOrderProblems, effectiveOrderSettings } from '../contract/order-input';
import {
  cancelOrderSignal,
  confirmOrderSignal,
  CustomerIdAttribute,
  getOrderStateQuery,
  orderStatuses,
  OrderStatusAttribute,
  orderWorkflowId,
  resumeValidationSignal,
  TaskQueue,
  WorkflowType,
} from '../contract';
import type { OrderState, OrderStatus, OrderStored, OrderSubmitted } from '../contract';

/** The submission was refused before anything was started; `problems` name the fields. */
export class InvalidOrderError extends Error {
  override readonly name = 'InvalidOrderError';
  constructor(readonly problems: string[]) {
    super(describeOrderProblems(problems));
  }
}

/** The orderId (the idempotency key) is already taken by an order with other content. */
export class OrderConflictError extends Error {
  override readonly name = 'OrderConflictError';
  constructor(readonly orderId: string) {
    super(`order ${orderId} already exists with different content; use a new orderId for a new order`);
  }
}

export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
  constructor(readonly orderId: string) {
    super(`no order ${orderId}`);
  }
}

/** The order's workflow has completed (its retention after a final status is over): it takes no more commands. */
export class OrderFinishedError extends Error {
  override readonly name = 'OrderFinishedError';
  constructor(
    readonly orderId: string,
    readonly executionStatus: string,
  ) {
    super(
      `order ${orderId} is finished (workflow ${executionStatus.toLowerCase()}); it takes no more commands`,
    );
  }
}

export interface SubmitOrderOptions {
  /** Defaults to `orders`; tests may isolate themselves on another queue. */
  taskQueue?: string;
}

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

const orderHandle = (client: Client, orderId: string): WorkflowHandle<typeof Order> =>
  client.workflow.getHandle<typeof Order>(orderWorkflowId(orderId));

const asStatus = (value: unknown): OrderStatus | undefined => orderStatuses.find((s) => s === value);

export const orderSummaryLine = (order: OrderSubmitted): string =>
  `Order ${order.orderId} · customer ${order.customerId} · ${order.amount.toFixed(2)} ${order.currency}`;

/**
 * What makes two submissions "the same order": the order normalised, with the settings it runs by (its own choices
 * over today's defaults). A retry with the same key and content is answered with the stored order; the same key
 * with other content is a client bug worth saying so. `undefined` for input that is no order at all.
 */
function orderContent(input: unknown): unknown {
  const checked = checkOrderSubmitted(input, { lenientTiming: true });
  if (!checked.ok) return undefined;
  const { orderId, customerId, amount, currency, card, menus } = checked.order;
  return {
    // Spaces and dashes in a card number are tolerated on input; they do not make another card.
    order: {
      orderId,
      customerId,
      amount,
      currency,
      card: { ...card, number: card.number.replace(/[\s-]/g, '') },
      menus: menus ?? [],
    },
    settings: effectiveOrderSettings(checked.order),
  };
}

/**
 * Whether a submission is the stored order again (a retry, answered with it) rather than other content under its
 * orderId (a conflict): every field of the order and every setting it runs by is compared, the card included.
 */
export function isSameOrder(stored: unknown, submitted: unknown): boolean {
  const content = orderContent(stored);
  return content !== undefined && isDeepStrictEqual(content, orderContent(submitted));
}

/**
 * The input the order's current run started with, read from its history's first event: the order itself, however
 * it was started (this client, the temporal CLI, the Web UI, code), so every start can be compared with it.
 */
async function storedInput(client: Client, orderId: string): Promise<unknown> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: orderWorkflowId(orderId) },
    maximumPageSize: 1,
  });
  const payloads = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  return decodeFromPayloadsAtIndex(client.options.loadedDataConverter, 0, payloads);
}

async function describeOrder(client: Client, orderId: string): Promise<WorkflowExecutionDescription> {
  try {
    return await orderHandle(client, orderId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new OrderNotFoundError(orderId);
    throw err;
  }
}

/**
 * Stores an order: validates it here (so a bad one starts nothing), then starts its workflow. The answer comes once
 * the start is acknowledged, i.e. once the input is in history. The same orderId again returns the existing order,
 * running or closed, with `created: false`.
 */
export async function submitOrder(
  client: Client,
  input: unknown,
  options: SubmitOrderOptions = {},
): Promise<OrderStored> {
  const checked = checkOrderSubmitted(input);
  if (!checked.ok) throw new InvalidOrderError(checked.problems);
  const order = checked.order;
  const workflowId = orderWorkflowId(order.orderId);
  // The whole policy goes into the input, i.e. into history: the order runs by the defaults of today whatever
  // they become tomorrow, and anyone reading its history sees the rules it runs by.
  const { validationPolicy, retainFor, confirmWithin } = effectiveOrderSettings(order);
  try {
    const handle = await client.workflow.start<typeof Order>(WorkflowType.order, {
      workflowId,
      taskQueue: options.taskQueue ?? TaskQueue.orders,
      args: [{ ...order, validationPolicy, retainFor, confirmWithin }],
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: OrderStatusAttribute, value: 'Pending' },
        { key: CustomerIdAttribute, value: order.customerId },
      ],
      staticSummary: orderSummaryLine(order),
      // For the operator's list: visibility returns the memo (decrypted by this client), never the input.
      memo: { amount: order.amount, currency: order.currency },
    });
    return {
      orderId: order.orderId,
      workflowId,
      runId: handle.firstExecutionRunId,
      status: 'Pending',
      created: true,
    };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const existing = await describeOrder(client, order.orderId);
  // A continued run's input is the order as its first run checked it, so the current run always holds the order.
  if (!isSameOrder(await storedInput(client, order.orderId), order))
    throw new OrderConflictError(order.orderId);
  return {
    orderId: order.orderId,
    workflowId,
    runId: existing.runId,
    // Set by the client at start and upserted at each transition, so no worker is needed to answer.
    status: asStatus(existing.typedSearchAttributes.get(OrderStatusAttribute)) ?? 'Pending',
    created: false,
  };
}

/** The order's full state, from its workflow's `getState` query (needs an order worker running). */
export async function getOrderState(client: Client, orderId: string): Promise<OrderState> {
  try {
    return await orderHandle(client, orderId).query(getOrderStateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new OrderNotFoundError(orderId);
    throw err;
  }
}

/** Orders by visibility, newest first; optionally only those in one status. */
export async function listOrders(
  client: Client,
  filter: { status?: OrderStatus; customerId?: string; limit?: number } = {},
): Promise<OrderSummary[]> {
  const clauses = [`WorkflowType = '${WorkflowType.order}'`];
  if (filter.status !== undefined) {
    if (!asStatus(filter.status))
      throw new Error(`unknown order status ${filter.status} (${orderStatuses.join(', ')})`);
    clauses.push(`${OrderStatusAttribute.name} = '${filter.status}'`);
  }
  if (filter.customerId !== undefined)
    clauses.push(`${CustomerIdAttribute.name} = ${JSON.stringify(filter.customerId)}`);
  const orders: OrderSummary[] = [];
  for await (const info of client.workflow.list({ query: clauses.join(' AND ') })) {
    const summary: OrderSummary = {
      orderId: info.workflowId.replace(/^order-/, ''),
      workflowId: info.workflowId,
      runId: info.runId,
      status: asStatus(info.typedSearchAttributes.get(OrderStatusAttribute)),
      customerId: info.typedSearchAttributes.get(CustomerIdAttribute),
      executionStatus: info.status.name,
      startTime: info.startTime,
    };
    if (info.closeTime) summary.closeTime = info.closeTime;
    const { amount, currency } = info.memo ?? {};
    if (typeof amount === 'number') summary.amount = amount;
    if (typeof currency === 'string') summary.currency = currency;
    orders.push(summary);
    if (filter.limit !== undefined && orders.length >= filter.limit) break;
  }
  return orders;
}

async function signalOrder(
  client: Client,
  orderId: string,
  send: (h: WorkflowHandle<typeof Order>) => Promise<void>,
) {
  try {
    await send(orderHandle(client, orderId));
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // Signalling a closed workflow also says "not found"; tell the two apart for the user.
    const description = await describeOrder(client, orderId);
    throw new OrderFinishedError(orderId, description.status.name);
  }
}

/** Re-activates a stalled validation now instead of at its scheduled time. */
export const resumeValidation = (client: Client, orderId: string): Promise<void> =>
  signalOrder(client, orderId, (h) => h.signal(resumeValidationSignal, { orderId }));

export const cancelOrder = (client: Client, orderId: string, reason?: string): Promise<void> =>
  signalOrder(client, orderId, (h) =>
    h.signal(cancelOrderSignal, reason === undefined ? { orderId } : { orderId, reason }),
  );

/** ConfirmOrder with the agreed menu; before validation it is kept and applied once the card is validated. */
export const confirmOrder = (
  client: Client,
  orderId: string,
  menuId: string,
  eventId?: string,
): Promise<void> =>
  signalOrder(client, orderId, (h) =>
    h.signal(confirmOrderSignal, eventId === undefined ? { orderId, menuId } : { orderId, menuId, eventId }),
  );
