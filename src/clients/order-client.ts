/** Client-side operations on orders, shared by the CLI and the tests. */
import {
  isGrpcServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import type {
  Client,
  WorkflowExecutionDescription,
  WorkflowHandle,
  WorkflowHandleWithStartDetails,
} from '@temporalio/client';
import { ApplicationFailure, msToNumber } from '@temporalio/common';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import type { Order } from '../../workflows/order/order.workflow';
import { orderQuery, summaryOf } from './order-pages';
import type { OrderSummary } from './order-pages';
import { checkOrderSubmitted, describeOrderProblems, effectiveOrderSettings } from '../contract/order-input';
import {
  cancelOrderSignal,
  cancelOrderUpdate,
  confirmOrderSignal,
  confirmOrderUpdate,
  CustomerIdAttribute,
  ErrorType,
  getOrderStateQuery,
  orderStatuses,
  OrderStatusAttribute,
  orderWorkflowId,
  resumeValidationSignal,
  resumeValidationUpdate,
  submitOrderUpdate,
  TaskQueue,
  WorkflowType,
} from '../contract';
import type {
  CancelOrder,
  CommandAnswer,
  ConfirmOrder,
  OrderState,
  OrderStatus,
  OrderStored,
  OrderSubmitted,
  ResumeValidation,
} from '../contract';

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

/** The order's workflow has closed (at its outcome, or after its retention): it takes no more commands. */
export class OrderFinishedError extends Error {
  override readonly name = 'OrderFinishedError';
  constructor(
    readonly orderId: string,
    readonly executionStatus: string,
    /** The order's own final status, from its search attribute; absent when it never set one. */
    readonly status?: OrderStatus,
  ) {
    super(
      status !== undefined && executionStatus === 'COMPLETED'
        ? `order ${orderId} is ${status} and closed; it no longer takes commands`
        : `order ${orderId} is finished (workflow ${executionStatus.toLowerCase()}${status ? `, last status ${status}` : ''}); it no longer takes commands`,
    );
  }
}

/** The order refused a command it understood: it is in no state to take it (`answer.reason` says why). */
export class CommandRefusedError extends Error {
  override readonly name = 'CommandRefusedError';
  constructor(
    readonly orderId: string,
    readonly command: string,
    readonly answer: CommandAnswer,
  ) {
    super(`${command} refused by order ${orderId} (${answer.status}): ${answer.reason ?? 'no reason given'}`);
  }
}

/**
 * No order worker answered a command in time (none running, or too busy to take the order's task before the wait
 * ran out). The server may still hold the command and the order apply it when a worker takes its next task; sending
 * it again is safe, since a repeated command changes nothing (it is answered duplicate or refused, saying why).
 */
export class OrderNotAnsweringError extends Error {
  override readonly name = 'OrderNotAnsweringError';
  constructor(
    readonly orderId: string,
    readonly command: string,
    options?: ErrorOptions,
  ) {
    super(
      `order ${orderId} did not answer ${command} in time: no order worker took it (is one running?); it may still be applied when one does; sending it again is safe: a repeat changes nothing, and its answer says what became of the first`,
      options,
    );
  }
}

/** The order's update validator rejected a command as malformed or for another order; nothing was recorded. */
export class InvalidCommandError extends Error {
  override readonly name = 'InvalidCommandError';
}

export interface SubmitOrderOptions {
  /** Defaults to `orders`; tests may isolate themselves on another queue. */
  taskQueue?: string;
  /**
   * How long to wait for the order's own acknowledgement (default 10 seconds). The start is durable as soon as the
   * server has it; past this wait, with no order worker answering, the answer says `acknowledged: false`.
   */
  acknowledgeWithin?: Duration;
}

export interface CommandOptions {
  /**
   * How long to wait for the order's answer; past it, OrderNotAnsweringError. Unset: as long as the server holds the
   * call.
   */
  answerWithin?: Duration;
}

export type { OrderSummary } from './order-pages';

const orderHandle = (client: Client, orderId: string): WorkflowHandle<typeof Order> =>
  client.workflow.getHandle<typeof Order>(orderWorkflowId(orderId));

const asStatus = (value: unknown): OrderStatus | undefined => orderStatuses.find((s) => s === value);

export const orderSummaryLine = (order: OrderSubmitted): string =>
  `Order ${order.orderId} · customer ${order.customerId} · ${order.amount.toFixed(2)} ${order.currency}`;

async function describeOrder(client: Client, orderId: string): Promise<WorkflowExecutionDescription> {
  try {
    return await orderHandle(client, orderId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new OrderNotFoundError(orderId);
    throw err;
  }
}

/** Orders this process has checked, frozen so that they cannot change after the check. */
const checkedOrders = new WeakSet<object>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const field of Object.values(value)) deepFreeze(field);
  }
  return value;
}

/**
 * The order checked and normalised, or InvalidOrderError naming every bad field. An order this returned is not checked
 * again on its way to the server (the CLI checks before it connects, then submits it).
 */
export function checkOrder(input: unknown): OrderSubmitted {
  if (typeof input === 'object' && input !== null && checkedOrders.has(input)) return input as OrderSubmitted;
  const checked = checkOrderSubmitted(input);
  if (!checked.ok) throw new InvalidOrderError(checked.problems);
  checkedOrders.add(deepFreeze(checked.order));
  return checked.order;
}

/** The order's input and start options, the same for an acknowledged submission and a plain start. */
function orderStart(order: OrderSubmitted, options: SubmitOrderOptions) {
  // The whole policy goes into the input, i.e. into history: the order runs by the defaults of today whatever
  // they become tomorrow, and anyone reading its history sees the rules it runs by.
  const { validationPolicy, confirmWithin } = effectiveOrderSettings(order);
  const submission: OrderSubmitted = { ...order, validationPolicy, confirmWithin };
  return {
    submission,
    startOptions: {
      workflowId: orderWorkflowId(order.orderId),
      taskQueue: options.taskQueue ?? TaskQueue.orders,
      args: [submission] as [OrderSubmitted],
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      typedSearchAttributes: [
        { key: OrderStatusAttribute, value: 'Pending' as OrderStatus },
        { key: CustomerIdAttribute, value: order.customerId },
      ],
      staticSummary: orderSummaryLine(order),
      // For the operator's list: visibility returns the memo (decrypted by this client), never the input.
      memo: { amount: order.amount, currency: order.currency },
    },
  };
}

/**
 * Starts an order without waiting for its answer, as `temporal workflow start` does: for senders that do not wait,
 * and for tests that start the order before its worker. The start is durable; the order runs once a worker takes it.
 * An orderId already taken, running or closed, is refused by the server (WorkflowExecutionAlreadyStartedError).
 */
export async function startOrder(
  client: Client,
  input: unknown,
  options: Omit<SubmitOrderOptions, 'acknowledgeWithin'> = {},
): Promise<WorkflowHandleWithStartDetails<typeof Order>> {
  const { startOptions } = orderStart(checkOrder(input), options);
  return client.workflow.start<typeof Order>(WorkflowType.order, {
    ...startOptions,
    workflowIdConflictPolicy: 'FAIL',
  });
}

/**
 * Stores an order by update-with-start: validates it here (so a bad one starts nothing), then starts its workflow
 * with a SubmitOrder update, and the order itself answers OrderStored. The same orderId again reaches the order,
 * running or continued, whose validator compares the submission with its own input: the same content is answered
 * with the stored order (`created: false`), other content is refused (OrderConflictError). A closed order is not
 * started again (REJECT_DUPLICATE): OrderFinishedError says how it ended.
 */
export async function submitOrder(
  client: Client,
  input: unknown,
  options: SubmitOrderOptions = {},
): Promise<OrderStored> {
  const order = checkOrder(input);
  const { submission, startOptions } = orderStart(order, options);
  const workflowId = startOptions.workflowId;
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof Order>(WorkflowType.order, {
    ...startOptions,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const waitMs = msToNumber(options.acknowledgeWithin ?? '10 seconds');
  try {
    return await client.withDeadline(Date.now() + waitMs, () =>
      client.workflow.executeUpdateWithStart(submitOrderUpdate, {
        args: [submission],
        startWorkflowOperation,
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const type = err.cause.type as ErrorType | undefined | null;
      if (type === ErrorType.OrderConflict) throw new OrderConflictError(order.orderId);
      if (type === ErrorType.InvalidOrder) throw new InvalidOrderError(problemsOf(err.cause));
    }
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw await finished(client, order.orderId);
    if (!isDeadlineExceeded(err) && !predatesUpdates(err)) throw err;
  }
  // No order worker answered in time, or the order runs code from before SubmitOrder (a pinned older version): the
  // start is durable once the server has it, so say it is stored, or that it is not there.
  const description = await describeOrder(client, order.orderId);
  if (description.status.name !== 'RUNNING') throw finishedAs(order.orderId, description);
  return {
    orderId: order.orderId,
    workflowId,
    runId: description.runId,
    status: asStatus(description.typedSearchAttributes.get(OrderStatusAttribute)) ?? 'Pending',
    created: false,
    acknowledged: false,
  };
}

const problemsOf = (failure: ApplicationFailure): string[] => {
  const [problems] = failure.details ?? [];
  return Array.isArray(problems) ? problems.map(String) : [failure.message];
};

/**
 * The order's code registers no handler for this update: it runs a version from before the updates (Worker
 * Versioning keeps a pinned order on the code it started with). The SDK rejects such an update with this failure
 * (type `Error`, the default of `ApplicationFailure.nonRetryable`).
 */
const predatesUpdates = (err: unknown): boolean =>
  err instanceof WorkflowUpdateFailedError &&
  err.cause instanceof ApplicationFailure &&
  (!err.cause.type || err.cause.type === 'Error') &&
  err.cause.message.startsWith('No registered handler for update');

/** gRPC status DEADLINE_EXCEEDED. */
const grpcDeadlineExceeded = 4;

/** As a call under `client.withDeadline` fails when its deadline passes. */
const isDeadlineExceeded = (err: unknown): boolean =>
  err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
  (isGrpcServiceError(err) && Number(err.code) === grpcDeadlineExceeded) ||
  (err instanceof Error && isGrpcServiceError(err.cause) && Number(err.cause.code) === grpcDeadlineExceeded);

/** Why a closed order takes nothing more: how it ended, from visibility (no worker needed). */
const finishedAs = (orderId: string, description: WorkflowExecutionDescription): OrderFinishedError =>
  new OrderFinishedError(
    orderId,
    description.status.name,
    asStatus(description.typedSearchAttributes.get(OrderStatusAttribute)),
  );

const finished = async (client: Client, orderId: string): Promise<OrderFinishedError> =>
  finishedAs(orderId, await describeOrder(client, orderId));

/**
 * The order's full state: its `getState` query while it runs (needs an order worker), its result once it has closed
 * (needs none).
 */
export async function getOrderState(client: Client, orderId: string): Promise<OrderState> {
  const handle = orderHandle(client, orderId);
  const description = await describeOrder(client, orderId);
  if (description.status.name === 'COMPLETED') return handle.result();
  try {
    return await handle.query(getOrderStateQuery);
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
  if (filter.status !== undefined && !asStatus(filter.status))
    throw new Error(`unknown order status ${filter.status} (${orderStatuses.join(', ')})`);
  const orders: OrderSummary[] = [];
  for await (const info of client.workflow.list({ query: orderQuery(filter) })) {
    orders.push(summaryOf(info));
    if (filter.limit !== undefined && orders.length >= filter.limit) break;
  }
  return orders;
}

/**
 * Sends a command as an update and returns the order's answer: applied or duplicate; a refusal throws
 * CommandRefusedError with its reason, a malformed command InvalidCommandError (the validator rejected it, nothing
 * was recorded), a closed order OrderFinishedError, no answer in time OrderNotAnsweringError. An order whose code
 * predates the updates gets the command as the signal of the same name, answered `signalled`: its own answer is then
 * recorded in `getState`.
 */
async function commandOrder<C extends OrderCommandPayload>(
  client: Client,
  orderId: string,
  definitions: { update: UpdateDefinition<CommandAnswer, [C]>; signal: SignalDefinition<[C]> },
  command: C,
  options: CommandOptions,
): Promise<CommandAnswer> {
  const handle = orderHandle(client, orderId);
  const name = definitions.update.name;
  const send = () => handle.executeUpdate(definitions.update, { args: [command] });
  let answer: CommandAnswer;
  try {
    answer = await (options.answerWithin === undefined
      ? send()
      : client.withDeadline(Date.now() + msToNumber(options.answerWithin), send));
  } catch (err) {
    if (isDeadlineExceeded(err)) throw new OrderNotAnsweringError(orderId, name, { cause: err });
    if (predatesUpdates(err)) {
      await handle.signal(definitions.signal, command);
      const status = asStatus(
        (await describeOrder(client, orderId)).typedSearchAttributes.get(OrderStatusAttribute),
      );
      return { outcome: 'signalled', status: status ?? 'Pending' };
    }
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
      throw new InvalidCommandError(err.cause.message, { cause: err });
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // An update to a closed workflow also says "not found"; tell the two apart for the user.
    throw await finished(client, orderId);
  }
  if (answer.outcome === 'refused') throw new CommandRefusedError(orderId, name, answer);
  return answer;
}

type OrderCommandPayload = ConfirmOrder | CancelOrder | ResumeValidation;

/** Re-activates a stalled validation now instead of at its scheduled time. */
export const resumeValidation = (
  client: Client,
  orderId: string,
  options: CommandOptions = {},
): Promise<CommandAnswer> =>
  commandOrder(
    client,
    orderId,
    { update: resumeValidationUpdate, signal: resumeValidationSignal },
    { orderId },
    options,
  );

export const cancelOrder = (
  client: Client,
  orderId: string,
  reason?: string,
  options: CommandOptions = {},
): Promise<CommandAnswer> =>
  commandOrder(
    client,
    orderId,
    { update: cancelOrderUpdate, signal: cancelOrderSignal },
    reason === undefined ? { orderId } : { orderId, reason },
    options,
  );

/** ConfirmOrder with the agreed menu; before validation it is kept and applied once the card is validated. */
export const confirmOrder = (
  client: Client,
  orderId: string,
  menuId: string,
  eventId?: string,
  options: CommandOptions = {},
): Promise<CommandAnswer> =>
  commandOrder(
    client,
    orderId,
    { update: confirmOrderUpdate, signal: confirmOrderSignal },
    eventId === undefined ? { orderId, menuId } : { orderId, menuId, eventId },
    options,
  );
