/** The customer's and caterers' API: no operator token, the signed link is the credential. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { DeskContext } from '../desk-context';
import { readLink } from '../links';
import { answerAsParticipant, participantView } from '../participants';
import { respondBody, respondParams, responses } from './schemas';

const linkRefused = { 403: 'the link was altered, has expired, or may not answer for this menu' };

export const participantsApi =
  (desk: DeskContext): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async functions
  async (app) => {
    const { client } = desk;

    app.get(
      '/api/respond/:token',
      {
        schema: {
          summary: 'What the link holder may see: the menus offered to them and their answers so far',
          params: respondParams,
          tags: ['participants'],
          response: responses(
            { 200: 'their menus, their answers so far, the deadline' },
            { ...linkRefused, 404: 'the order has no catering match' },
          ),
          // No operator token: the signed link in the path is the credential.
          security: [],
        },
      },
      async (request) => participantView(client, readLink(desk.link.key, request.params.token, new Date())),
    );

    app.post(
      '/api/respond/:token',
      {
        schema: {
          summary: 'Confirm (or, as a caterer, decline) one of your menus; pressing twice is a duplicate',
          params: respondParams,
          body: respondBody,
          tags: ['participants'],
          response: responses(
            { 200: 'their view, with the answer just sent' },
            {
              ...linkRefused,
              404: 'the order has no catering match',
              409: 'the match takes no more answers',
              422: 'a malformed answer, or a customer declining',
            },
          ),
          security: [],
        },
      },
      async (request) => {
        const claims = readLink(desk.link.key, request.params.token, new Date());
        return answerAsParticipant(client, claims, request.body.menuId, request.body.answer);
      },
    );
  };
