import type { FastifyPluginAsync } from 'fastify';
import type { DeskContext } from '../desk-context';

/** The server-rendered pages: the desk, an order's page, a participant's page. */
export const registerPages =
  (_desk: DeskContext): FastifyPluginAsync =>
  async () => {};
