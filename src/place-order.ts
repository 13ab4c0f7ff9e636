import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import { MatchAlreadyFinishedError, startCateringMatch } from './catering-events';
import { submitOrder } from './orders';
import type { Duration } from '@temporalio/common';
import type { CateringMatchStatus, OrderStored } from './shared';
import { cateringMatchWorkflowId } from './shared';

export interface PlacedMatch {
  workflowId: string;
  runId?: string;
  /** Set when the match had already finished: it is reported as it ended, never started again. */
  finished?: { status?: CateringMatchStatus };
}

/**
 * What the business calls submitting an order: the order is stored and, when it offers menus, its catering
 * match starts with them (so declines can end it and caterers are checked). Orders started by hand with
 * `temporal workflow start` get their match from the first menu event instead. Placing the same order again
 * returns it as stored, with its match as it is, running or finished.
 */
export async function placeOrder(
  client: Client,
  input: unknown,
  options: { confirmWithin?: Duration } = {},
): Promise<{ order: OrderStored; match?: PlacedMatch }> {
  // One span around both starts, so that an order and its match are one trace (a no-op without a tracer provider).
  return trace.getTracer('catering-orders').startActiveSpan('placeOrder', async (span) => {
    try {
      return await placeOrderAndMatch(client, input, options);
    } catch (err) {
      // The name only: a message may quote the order's input, and traces leave the process unencrypted.
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}

async function placeOrderAndMatch(
  client: Client,
  input: unknown,
  options: { confirmWithin?: Duration },
): Promise<{ order: OrderStored; match?: PlacedMatch }> {
  const order = await submitOrder(client, input);
  const { menus } = input as { menus?: { menuId: string; catererId: string }[] };
  if (!menus || menus.length === 0) return { order };
  try {
    const match = await startCateringMatch(client, { orderId: order.orderId, menus, ...options });
    return { order, match };
  } catch (err) {
    if (!(err instanceof MatchAlreadyFinishedError)) throw err;
    const match: PlacedMatch = {
      workflowId: cateringMatchWorkflowId(order.orderId),
      finished: err.status === undefined ? {} : { status: err.status },
    };
    if (err.runId !== undefined) match.runId = err.runId;
    return { order, match };
  }
}
