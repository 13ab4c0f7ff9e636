/** The shop's and the operations desk's JSON API: orders in, their state out, commands answered by the order itself. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { getMatchState } from '../../clients/catering-match-client';
import { cancelOrder, confirmOrder, getOrderState, resumeValidation } from '../../clients/order-client';
import { listOrderPage } from '../../clients/order-pages';
import { placeOrder } from '../../clients/place-order';
import { OrderSubmitted } from '../../contract/messages';
import { answerWithin } from '../desk-context';
import type { DeskContext } from '../desk-context';
import { participantLinks } from '../participants';
import {
  cancelBody,
  confirmBody,
  idempotencyHeaders,
  orderIdParams,
  orderListQuery,
  responses,
} from './schemas';

const unauthorized = { 401: "no operator token, or not this desk's" };
const unknownOrder = { 404: 'no such order' };
const commandAnswers = responses(
  { 200: "the order's answer: applied, or duplicate (and why)" },
  {
    ...unauthorized,
    ...unknownOrder,
    409: 'refused by the order (the reason says why), or the order is closed',
    422: 'a malformed command, each problem named',
    503: 'no order worker answered in time; sending it again is safe',
  },
);

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
          response: responses(
            {
              200: 'OrderStored: the same submission again (created false)',
              201: 'OrderStored: a new order, answered by the order itself; Location names it',
              202: 'OrderStored: stored, but no order worker answered yet (acknowledged false)',
            },
            {
              400: 'the body is not JSON',
              ...unauthorized,
              409: 'the orderId is taken by an order with other content, or by a closed order',
              413: 'the body is over 64 KiB',
              415: 'the body is not application/json',
              422: "a malformed order, each problem named in the contract's words; nothing was started",
            },
          ),
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
          response: responses(
            { 200: 'a page of orders, and nextPageToken while more remain' },
            { ...unauthorized, 422: 'an unknown status or a page size out of 1-100' },
          ),
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
      {
        schema: {
          summary: "The order's state (no card data)",
          params: orderIdParams,
          tags: ['orders'],
          response: responses(
            { 200: "the order's state: its getState query, or its result once closed" },
            { ...unauthorized, ...unknownOrder },
          ),
        },
      },
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
          response: commandAnswers,
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
          response: commandAnswers,
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
          response: commandAnswers,
        },
      },
      async (request) => resumeValidation(client, request.params.orderId, { answerWithin }),
    );

    app.get(
      '/api/matches/:orderId',
      {
        schema: {
          summary: "The order's catering match",
          params: orderIdParams,
          tags: ['matches'],
          response: responses(
            { 200: "the match's state" },
            { ...unauthorized, 404: 'no match for this order' },
          ),
        },
      },
      async (request) => getMatchState(client, request.params.orderId),
    );

    app.post(
      '/api/orders/:orderId/links',
      {
        schema: {
          summary: "Signed links for the order's customer and caterers, valid until the order's deadline",
          params: orderIdParams,
          tags: ['participants'],
          response: responses(
            { 200: 'one link per participant, and when they expire' },
            {
              ...unauthorized,
              404: 'no such order',
              409: 'the order is finished, or offers no menus',
              503: 'the order has not handed its menus to its match yet; ask again after Retry-After seconds',
            },
          ),
        },
      },
      async (request) => participantLinks(client, request.params.orderId, desk.link),
    );
  };
