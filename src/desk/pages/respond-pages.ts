/** The customer's and caterers' page: no operator cookie, the signed link is the credential. */
import type { FastifyPluginAsync } from 'fastify';
import type { DeskContext } from '../desk-context';
import { readLink } from '../links';
import { answerAsParticipant, participantView } from '../participants';
import { takeFlash, formField, formatTime, postThenRedirect } from './page-kit';

export const respondPages =
  (desk: DeskContext): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- fastify plugins are async functions
  async (app) => {
    const { client } = desk;

    app.get('/respond/:token', async (request, reply) => {
      const { token } = request.params as { token: string };
      // A tampered or expired link is refused here (403), before anything is asked of the match.
      const claims = readLink(desk.link.key, token, new Date());
      const participant = await participantView(client, claims);
      return reply.viewAsync('respond', {
        operator: false,
        flash: takeFlash(request, reply),
        action: `/respond/${token}`,
        participant,
        deadline: formatTime(participant.deadline),
        answeredAt: (at: string | undefined) => formatTime(at),
      });
    });

    app.post('/respond/:token', async (request, reply) => {
      const { token } = request.params as { token: string };
      const claims = readLink(desk.link.key, token, new Date());
      const menuId = formField(request.body, 'menuId');
      const answer = formField(request.body, 'answer');
      return postThenRedirect(reply, `/respond/${token}`, async () => {
        if (menuId === undefined || (answer !== 'confirm' && answer !== 'decline'))
          return { kind: 'error', text: 'choose a menu and press Confirm or Decline' };
        await answerAsParticipant(client, claims, menuId, answer);
        return {
          kind: 'ok',
          text: `Your ${answer === 'confirm' ? 'confirmation' : 'refusal'} of menu ${menuId} was sent.`,
        };
      });
    });
  };
