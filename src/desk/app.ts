/**
 * The desk: one Fastify server for the shop's API, the participants' links and the pages. Requests are checked by the
 * message contract's own schemas (the zod type provider), and the OpenAPI document is built from the same schemas.
 */
import Fastify from 'fastify';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ordersApi } from './api/orders-api';
import { participantsApi } from './api/participants-api';
import type { DeskContext } from './desk-context';
import { bearerToken, sameSecret } from './operator-auth';
import { internalError, problem, problemOf, sendProblem } from './problems';
import { registerPages } from './pages/register-pages';

/** An order is a few hundred bytes; 64 KiB is far above any and far below what could hurt the server. */
export const bodyLimit = 64 * 1024;

/** A participant link's token is the longest path parameter: ids of up to 100 characters each, and a signature. */
const maxParamLength = 1024;

/** How long /healthz waits for Temporal before it says it does not answer. */
const healthWait = 3_000;

export async function buildDesk(
  desk: DeskContext,
  options: { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit,
    routerOptions: { maxParamLength },
    logger: options.logger ?? false,
  }).withTypeProvider<ZodTypeProvider>();
  // Fastify parses text/plain by default: JSON sent as text would be checked as a string ("must be a JSON object")
  // instead of being told to send application/json (415).
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Catering desk',
        version: '1.0.0',
        description:
          'Orders and their catering matches, answered by the Temporal workflows themselves. Operator routes take `Authorization: Bearer <token>`; participant routes take the signed link as the credential.',
      },
      components: { securitySchemes: { operator: { type: 'http', scheme: 'bearer' } } },
      security: [{ operator: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.setErrorHandler((err, request, reply) => {
    const known = problemOf(err);
    if (!known) request.log.error({ err }, 'unexpected error');
    return sendProblem(reply, known ?? internalError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await desk.client.withDeadline(Date.now() + healthWait, () =>
        desk.client.workflowService.getSystemInfo({}),
      );
      return { status: 'ok' };
    } catch (err) {
      return sendProblem(
        reply,
        problem(
          503,
          `Temporal did not answer within ${healthWait / 1000} s: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    }
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());

  // The operator's API: a bearer token on every request.
  await app.register(async (operator) => {
    operator.addHook('onRequest', async (request, reply) => {
      if (!sameSecret(bearerToken(request.headers.authorization), desk.operatorToken)) {
        reply.header('www-authenticate', 'Bearer realm="catering desk"');
        return sendProblem(
          reply,
          problem(
            401,
            'send the operator token as `Authorization: Bearer <token>` (it is in .temporal/desk-token)',
          ),
        );
      }
    });
    await operator.register(ordersApi(desk));
  });
  await app.register(participantsApi(desk));
  await app.register(registerPages(desk));
  return app;
}
