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

export const orderListQuery = z.object({
  status: z.optional(z.enum(orderStatuses, { error: `must be one of ${orderStatuses.join(', ')}` })),
  customerId: z.optional(z.string().check(z.maxLength(maxLengths.customerId))),
  pageSize: z._default(
    z.coerce
      .number({ error: 'must be a whole number from 1 to 100' })
      .check(
        z.int({ error: 'must be a whole number from 1 to 100' }),
        z.gte(1, { error: 'must be a whole number from 1 to 100' }),
        z.lte(100, { error: 'must be a whole number from 1 to 100' }),
      ),
    20,
  ),
  pageToken: z.optional(z.string().check(z.maxLength(4096))),
});

export const respondParams = z.object({ token: z.string() });

export const respondBody = z.object({
  menuId: z.pick(ConfirmOrder(), { menuId: true }).shape.menuId,
  answer: z.enum(['confirm', 'decline'], { error: 'must be confirm or decline' }),
});
