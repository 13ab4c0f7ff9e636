/** The operations desk's pages, behind the operator's session cookie: the desk and each order's page. */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { cancelOrder, confirmOrder, resumeValidation } from '../../clients/order-client';
import type { CommandAnswer } from '../../contract';
import { listOrderPage } from '../../clients/order-pages';
import { countOrders, formatAge, formatAmount } from '../../clients/operator-view';
import { placeOrder } from '../../clients/place-order';
import { orderStatuses, orderWorkflowId } from '../../contract';
import { maxLengths } from '../../contract/messages';
import { answerWithin } from '../desk-context';
import type { DeskContext } from '../desk-context';
import { sameSecret } from '../operator-auth';
import { participantLinks } from '../participants';
import type { ParticipantLinks } from '../participants';
import { problemOf } from '../problems';
import { orderStory } from './order-story';
import {
  cookieOf,
  formatTime,
  formField,
  postThenRedirect,
  sessionCookie,
  setFlash,
  takeFlash,
} from './page-kit';
import type { Flash } from './page-kit';

/** An order as the desk's form starts it: every field the shop sends, to be filled in. */
const orderTemplate = JSON.stringify(
  {
    orderId: '',
    customerId: '',
    amount: 0,
    currency: 'EUR',
    card: { number: '', expiry: 'MM/YY', holder: '' },
    menus: [{ menuId: '', catererId: '' }],
  },
  null,
  2,
);

const orderPath = (orderId: string): string => `/orders/${encodeURIComponent(orderId)}`;

const answerText = (command: string, answer: CommandAnswer): string =>
  answer.outcome === 'duplicate'
    ? `${command} changed nothing: the order already is so (${answer.status}).`
    : answer.outcome === 'signalled'
      ? `${command} sent; the order records its answer in its story (${answer.status} now).`
      : `${command} applied: the order is ${answer.status}.`;

export const operatorPages =
  (desk: DeskContext): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async functions
  async (app) => {
    const { client } = desk;

    // Every page here needs the operator's session; without it, the login page, which brings the operator back.
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (sameSecret(cookieOf(request, sessionCookie), desk.operatorToken)) return;
      if (request.method !== 'GET') return reply.code(401).viewAsync('login', { next: '/', operator: false });
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    });

    app.get('/', async (request, reply) => {
      const query = request.query as { status?: string; customerId?: string; pageToken?: string };
      const status = orderStatuses.find((s) => s === query.status);
      const customerId = query.customerId?.trim().slice(0, maxLengths.customerId) || undefined;
      const [counts, page] = await Promise.all([
        countOrders(client),
        listOrderPage(client, {
          pageSize: 20,
          ...(status ? { status } : {}),
          ...(customerId ? { customerId } : {}),
          ...(query.pageToken ? { pageToken: query.pageToken } : {}),
        }),
      ]);
      const now = Date.now();
      const filter = new URLSearchParams({
        ...(status ? { status } : {}),
        ...(customerId ? { customerId } : {}),
      });
      return reply.viewAsync('desk', {
        operator: true,
        flash: takeFlash(request, reply),
        counts: orderStatuses.map((s) => ({ status: s, count: counts[s] })),
        total: counts.total,
        stalled: counts.ValidationStalled,
        status,
        customerId,
        orders: page.orders.map((o) => ({
          orderId: o.orderId,
          href: orderPath(o.orderId),
          status: o.status ?? o.executionStatus,
          customerId: o.customerId ?? '-',
          amount: formatAmount(o),
          age: formatAge(now - o.startTime.getTime()),
        })),
        nextPage:
          page.nextPageToken === undefined
            ? undefined
            : `/?${new URLSearchParams([...filter, ['pageToken', page.nextPageToken]]).toString()}`,
        orderTemplate,
      });
    });

    // One box for both ids: an order id opens its order, anything else lists that customer's orders.
    app.get('/search', async (request, reply) => {
      const q = ((request.query as { q?: string }).q ?? '').trim();
      if (q === '') return reply.redirect('/', 303);
      try {
        await client.workflow.getHandle(orderWorkflowId(q)).describe();
        return reply.redirect(orderPath(q), 303);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return reply.redirect(`/?${new URLSearchParams({ customerId: q }).toString()}`, 303);
    });

    // The same OrderSubmitted JSON as POST /api/orders, checked by the same contract.
    app.post('/orders', async (request, reply) => {
      const text = formField(request.body, 'order');
      let flash: Flash;
      let back = '/';
      try {
        if (text === undefined) throw new SyntaxError('the order is empty');
        const { order } = await placeOrder(client, JSON.parse(text));
        back = orderPath(order.orderId);
        flash = {
          kind: 'ok',
          text: !order.acknowledged
            ? `Order ${order.orderId} accepted; no order worker has answered yet.`
            : order.created
              ? `Order ${order.orderId} stored.`
              : `Order ${order.orderId} was already stored with this content; nothing new was started.`,
        };
      } catch (err) {
        if (err instanceof SyntaxError)
          flash = { kind: 'error', text: `The order is not JSON: ${err.message}` };
        else {
          const known = problemOf(err);
          if (!known) throw err;
          flash = { kind: 'error', text: known.detail };
          if (known.problems) flash.problems = known.problems;
        }
      }
      setFlash(reply, flash);
      return reply.redirect(back, 303);
    });

    app.get('/orders/:orderId', async (request, reply) => {
      const { orderId } = request.params as { orderId: string };
      const story = await orderStory(client, orderId);
      let links: ParticipantLinks | undefined;
      let linksRefused: string | undefined;
      if ((request.query as { links?: string }).links !== undefined) {
        try {
          links = await participantLinks(client, orderId, desk.link);
        } catch (err) {
          const known = problemOf(err);
          if (!known) throw err;
          linksRefused = known.detail;
        }
      }
      return reply.viewAsync('order', {
        operator: true,
        flash: takeFlash(request, reply),
        story,
        path: orderPath(orderId),
        links: links && { ...links, expiresAt: formatTime(links.expiresAt) },
        linksRefused,
        // A pressed-twice confirm is the same command, answered duplicate.
        commandId: `desk-${randomUUID()}`,
      });
    });

    // The story alone, for the order page's script to swap in.
    app.get('/orders/:orderId/story', async (request, reply) => {
      const { orderId } = request.params as { orderId: string };
      reply.header('cache-control', 'no-store');
      return reply.viewAsync('story', { story: await orderStory(client, orderId) });
    });

    app.post('/orders/:orderId/confirm', async (request, reply) => {
      const { orderId } = request.params as { orderId: string };
      const menuId = formField(request.body, 'menuId');
      const commandId = formField(request.body, 'commandId');
      return postThenRedirect(reply, orderPath(orderId), async () => {
        if (menuId === undefined) return { kind: 'error', text: 'choose the menu to confirm' };
        return {
          kind: 'ok',
          text: answerText(
            `ConfirmOrder (menu ${menuId})`,
            await confirmOrder(client, orderId, menuId, commandId, { answerWithin }),
          ),
        };
      });
    });

    app.post('/orders/:orderId/cancel', async (request, reply) => {
      const { orderId } = request.params as { orderId: string };
      const reason = formField(request.body, 'reason');
      return postThenRedirect(reply, orderPath(orderId), async () => ({
        kind: 'ok',
        text: answerText('CancelOrder', await cancelOrder(client, orderId, reason, { answerWithin })),
      }));
    });

    app.post('/orders/:orderId/resume', async (request, reply) => {
      const { orderId } = request.params as { orderId: string };
      return postThenRedirect(reply, orderPath(orderId), async () => ({
        kind: 'ok',
        text: answerText('ResumeValidation', await resumeValidation(client, orderId, { answerWithin })),
      }));
    });

    // Links are signed from the order, the role and the deadline alone: the order's page makes them, or says why it
    // may not (a finished order, no menus, no match yet), so the form only leads there.
    app.post('/orders/:orderId/links', async (request, reply) => {
      const { orderId } = request.params as { orderId: string };
      return reply.redirect(`${orderPath(orderId)}?links=1#links`, 303);
    });
  };
