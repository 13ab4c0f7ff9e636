/** The shop's and the operations desk's JSON API: orders in, their state out, commands answered by the order itself. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { getMatchState } from '../../clients/catering-match-client';
import { cancelOrder, confirmOrder, getOrderState, resumeValidation } from '../../clients/order-client';
import { listOrderPage } from '../../clients/order-pages';
import { placeOrder } from '../../clients/place-order';
import { OrderSubmitted } from '../../contract/messages';
import type { DeskContext } from '../desk-context';
import { participantLinks } from '../participants';
import { cancelBody, confirmBody, idempotencyHeaders, orderIdParams, orderListQuery } from './schemas';

/** How long a command waits for the order's answer before the API says it did not answer (503, safe to retry). */
const answerWithin = '10 seconds';

export const ordersApi =
  (desk: DeskContext): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async functions
  async (app) => {
    const { client } = desk;

    app.post(
      '/api/orders',
      {
        schema: {
          summary: 'Submit an order (OrderSubmitted); the order itself answers OrderStored',
          body: OrderSubmitted(),
          tags: ['orders'],
        },
      },
      async (request, reply) => {
        // Checked by the contract's schema on the way in; placeOrder adds the check of the policy as a whole.
        const { order, match } = await placeOrder(client, request.body);
        reply.header('location', `/api/orders/${encodeURIComponent(order.orderId)}`);
        // Durable but unanswered (no order worker in time): accepted, and whether it is new is not known yet.
        const status = !order.acknowledged ? 202 : order.created ? 201 : 200;
        return reply.code(status).send({ ...order, ...(match ? { match } : {}) });
      },
    );

    app.get(
      '/api/orders',
      {
        schema: {
          summary: 'Orders from visibility, newest first, a page at a time',
          querystring: orderListQuery,
          tags: ['orders'],
        },
      },
      async (request) => {
        const { status, customerId, pageSize, pageToken } = request.query;
        return listOrderPage(client, {
          pageSize,
          ...(status !== undefined ? { status } : {}),
          ...(customerId !== undefined ? { customerId } : {}),
          ...(pageToken !== undefined ? { pageToken } : {}),
        });
      },
    );

    app.get(
      '/api/orders/:orderId',
      { schema: { summary: "The order's state (no card data)", params: orderIdParams, tags: ['orders'] } },
      async (request) => getOrderState(client, request.params.orderId),
    );

    app.post(
      '/api/orders/:orderId/confirm',
      {
        schema: {
          summary: 'ConfirmOrder with a menu; Idempotency-Key becomes its event id',
          params: orderIdParams,
          body: confirmBody,
          headers: idempotencyHeaders,
          tags: ['commands'],
        },
      },
      async (request) =>
        confirmOrder(
          client,
          request.params.orderId,
          request.body.menuId,
          request.headers['idempotency-key'],
          {
            answerWithin,
          },
        ),
    );

    app.post(
      '/api/orders/:orderId/cancel',
      {
        schema: {
          summary: 'CancelOrder; a cancelled order is closed, so cancelling again is 409 saying so',
          params: orderIdParams,
          body: cancelBody,
          tags: ['commands'],
        },
      },
      async (request) => cancelOrder(client, request.params.orderId, request.body?.reason, { answerWithin }),
    );

    app.post(
      '/api/orders/:orderId/resume',
      {
        schema: {
          summary: 'ResumeValidation: try a stalled card validation again now; again is answered duplicate',
          params: orderIdParams,
          tags: ['commands'],
        },
      },
      async (request) => resumeValidation(client, request.params.orderId, { answerWithin }),
    );

    app.get(
      '/api/matches/:orderId',
      { schema: { summary: "The order's catering match", params: orderIdParams, tags: ['matches'] } },
      async (request) => getMatchState(client, request.params.orderId),
    );

    app.post(
      '/api/orders/:orderId/links',
      {
        schema: {
          summary: "Signed links for the order's customer and caterers, valid until the order's deadline",
          params: orderIdParams,
          tags: ['participants'],
        },
      },
      async (request) => participantLinks(client, request.params.orderId, desk.link),
    );
  };
