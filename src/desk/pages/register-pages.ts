/**
 * The server-rendered pages: the operator's login, the desk, an order's page, and a participant's page. Every page
 * works without client-side JavaScript (forms post, then redirect back with a message); the order page's story
 * refreshes itself with a few lines of script.
 */
import { resolve } from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { DeskContext } from '../desk-context';
import { sameSecret } from '../operator-auth';
import { operatorPages } from './operator-pages';
import { internalError, problemOf } from '../problems';
import { clearCookie, formField, safeNext, sessionCookie, setCookie } from './page-kit';
import { respondPages } from './respond-pages';

/** The templates, beside the sources (`npm run build` copies them beside the compiled pages). */
const viewsDir = resolve(__dirname, '..', 'views');

/** The server-rendered pages: the desk, an order's page, a participant's page. */
export const registerPages =
  (desk: DeskContext): FastifyPluginAsync =>
  async (app) => {
    // Pages are for people; the OpenAPI document describes the JSON API only.
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    await app.register(cookie);
    await app.register(formbody);
    // Eta escapes every `<%= %>` (autoEscape is its default, stated here so that no one turns it off unawares).
    await app.register(view, { engine: { eta: new Eta({ autoEscape: true }) }, templates: viewsDir });

    // A person reading a page gets a page, not problem+json: the status, and what to do about it.
    app.setErrorHandler(async (err, request, reply) => {
      const known = problemOf(err) ?? internalError;
      if (known.status >= 500) request.log.error({ err }, 'unexpected error on a page');
      reply.code(known.status);
      return reply.viewAsync('error', { problem: known, operator: false });
    });

    app.get('/login', async (request, reply) => {
      const { next } = request.query as { next?: string };
      return reply.viewAsync('login', { next: safeNext(next), operator: false });
    });

    app.post('/login', async (request, reply) => {
      const next = safeNext(formField(request.body, 'next'));
      if (!sameSecret(formField(request.body, 'token'), desk.operatorToken)) {
        reply.code(401);
        return reply.viewAsync('login', {
          next,
          operator: false,
          error: 'That is not the operator token. It is in .temporal/desk-token (or DESK_TOKEN).',
        });
      }
      setCookie(reply, sessionCookie, desk.operatorToken);
      return reply.redirect(next, 303);
    });

    const logout = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      clearCookie(reply, sessionCookie);
      return reply.redirect('/login', 303);
    };
    app.get('/logout', logout);
    app.post('/logout', logout);

    await app.register(operatorPages(desk));
    await app.register(respondPages(desk));
  };
