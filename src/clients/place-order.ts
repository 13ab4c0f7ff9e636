import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { checkOrder, submitOrder } from './order-client';
import type { CateringMatchStatus, OrderStored } from '../contract';
import { cateringMatchWorkflowId, MatchStatusAttribute } from '../contract';

export interface PlacedMatch {
  workflowId: string;
  runId?: string;
  /** Set when the match had already finished: it is reported as it ended. */
  finished?: { status?: CateringMatchStatus };
}

/**
 * What the business calls submitting an order: the order is stored, and when it offers menus it hands them to its
 * catering match itself (the Order's offerMenusToMatch activity signals-with-start the match with the order's own
 * checked menus and `confirmWithin`), so an order and its match always run by one deadline. Placing the same order
 * again returns it as stored, with its match as it is, running or finished.
 */
export async function placeOrder(
  client: Client,
  input: unknown,
): Promise<{ order: OrderStored; match?: PlacedMatch }> {
  // One span around the submission, so that an order and its match are one trace (a no-op without a tracer).
  return trace.getTracer('catering-orders').startActiveSpan('placeOrder', async (span) => {
    try {
      const checked = checkOrder(input);
      const order = await submitOrder(client, checked);
      if (!checked.menus?.length) return { order };
      return {
        order,
        match: order.created
          ? { workflowId: cateringMatchWorkflowId(order.orderId) }
          : await matchAsItIs(client, order.orderId),
      };
    } catch (err) {
      // The name only: a message may quote the order's input, and traces leave the process unencrypted.
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The match of an order placed before: running, finished (with how it ended), or not started yet. */
async function matchAsItIs(client: Client, orderId: string): Promise<PlacedMatch> {
  const workflowId = cateringMatchWorkflowId(orderId);
  try {
    const described = await client.workflow.getHandle(workflowId).describe();
    const match: PlacedMatch = { workflowId, runId: described.runId };
    if (described.status.name !== 'RUNNING') {
      const status = described.typedSearchAttributes.get(MatchStatusAttribute) as
        CateringMatchStatus | undefined;
      match.finished = status === undefined ? {} : { status };
    }
    return match;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { workflowId };
    throw err;
  }
}
