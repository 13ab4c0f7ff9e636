/**
 * The API's request shapes, taken from the message contract (src/contract/messages.ts) so that no message is described
 * twice: a command's body is its message less the fields the path and headers give.
 */
import * as z from 'zod/mini';
import { CancelOrder, ConfirmOrder, maxLengths } from '../../contract/messages';
import { orderStatuses } from '../../contract';

export const orderIdParams = z.pick(ConfirmOrder(), { orderId: true });

export const confirmBody = z.pick(ConfirmOrder(), { menuId: true });

/** `reason` is optional, and so is the body: `{}` or no body at all cancel without one. */
export const cancelBody = z.optional(z.nullable(z.pick(CancelOrder(), { reason: true })));

export const idempotencyHeaders = z.object({
  'idempotency-key': z.optional(
    z
      .string()
      .check(
        z.minLength(1, { error: 'must not be empty' }),
        z.maxLength(maxLengths.eventId, { error: `must be at most ${maxLengths.eventId} characters` }),
      ),
  ),
});

const pageSizeProblem = 'must be a whole number from 1 to 100';

export const orderListQuery = z.object({
  status: z.optional(z.enum(orderStatuses, { error: `must be one of ${orderStatuses.join(', ')}` })),
  customerId: z.optional(z.string().check(z.maxLength(maxLengths.customerId))),
  pageSize: z._default(
    z.coerce
      .number({ error: pageSizeProblem })
      .check(
        z.int({ error: pageSizeProblem }),
        z.gte(1, { error: pageSizeProblem }),
        z.lte(100, { error: pageSizeProblem }),
      ),
    20,
  ),
  pageToken: z.optional(z.string().check(z.maxLength(4096))),
});

/** An RFC 9457 problem, as every error of the desk is answered (src/desk/problems.ts); further members may follow. */
const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  problems: z.optional(z.array(z.string())),
});

/** JSON the workflows answer with (a state, an answer): described in prose here, its types are the contract's. */
const workflowAnswer = z.unknown();

/** The answers a route documents, each with what it means there: its successes' JSON and its problems. */
export function responses(successes: Record<number, string>, problems: Record<number, string>) {
  const described = (entries: Record<number, string>, type: string, schema: z.ZodMiniType) =>
    Object.entries(entries).map(([status, description]) => [
      status,
      { description, content: { [type]: { schema } } },
    ]);
  return Object.fromEntries([
    ...described(successes, 'application/json', workflowAnswer),
    ...described(problems, 'application/problem+json', problemSchema),
  ]) as Record<string, { description: string; content: Record<string, { schema: z.ZodMiniType }> }>;
}

export const respondParams = z.object({ token: z.string() });

export const respondBody = z.object({
  menuId: confirmBody.shape.menuId,
  answer: z.enum(['confirm', 'decline'], { error: 'must be confirm or decline' }),
});
