import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildDesk } from '../../src/desk/app';

export interface RunningDesk {
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  operatorToken: string;
  linkKey: string;
  /** Fetch with the operator's bearer token. */
  operator: (path: string, init?: RequestInit) => Promise<Response>;
  close: () => Promise<void>;
}

/**
 * The desk as `npm run desk` builds it, on a free loopback port, against the given environment's client: a fresh
 * operator token and link key per desk, so no test can pass on another's secrets.
 */
export async function startDesk(env: TestWorkflowEnvironment): Promise<RunningDesk> {
  const operatorToken = randomBytes(32).toString('base64url');
  const linkKey = randomBytes(32).toString('base64url');
  const link = { key: linkKey, publicUrl: '' };
  const app = await buildDesk({ client: env.client, operatorToken, link });
  const url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('localhost', '127.0.0.1');
  // Links carry the address the desk is reached at, known only once it listens.
  link.publicUrl = url;
  const operator = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${operatorToken}`, ...(init.headers as Record<string, string>) },
    });
  return { app, url, operatorToken, linkKey, operator, close: () => app.close() };
}
