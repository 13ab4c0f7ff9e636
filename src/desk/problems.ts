/**
 * Every error the desk answers, as an RFC 9457 problem: a status, a title, and a detail a person can act on. The
 * clients' own errors already say what is wrong in the contract's words; this maps each to its status.
 */
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { FastifyError, FastifyReply } from 'fastify';
import {
  CommandRefusedError,
  InvalidCommandError,
  InvalidOrderError,
  OrderConflictError,
  OrderFinishedError,
  OrderNotAnsweringError,
  OrderNotFoundError,
} from '../clients/order-client';
import { InvalidMenuEventError, MatchNotFoundError } from '../clients/catering-match-client';
import { LinkRefusedError } from './links';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Each field that is wrong, with what is wrong with it, in the contract's words. */
  problems?: string[];
  /** When asking again may succeed, in seconds; also sent as `Retry-After`. */
  retryAfter?: number;
  [extension: string]: unknown;
}

/**
 * A refusal the desk itself decides (a link that may not answer this menu, a customer who declines), or a 503 for
 * something not there yet that will be (`retryAfter` seconds).
 */
export class DeskRefusal extends Error {
  override readonly name = 'DeskRefusal';
  constructor(
    readonly status: 403 | 404 | 409 | 422 | 503,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Operator token required',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  500: 'Internal error',
  503: 'Temporal is not answering',
};

export const problem = (status: number, detail: string, extra: Partial<Problem> = {}): Problem => ({
  type: 'about:blank',
  title: titles[status] ?? 'Error',
  status,
  detail,
  ...extra,
});

/** The answer to an error the desk did not foresee; what it was goes to the log, not to the caller. */
export const internalError: Problem = problem(500, 'the desk failed to answer; the error is in its log');

/** `/card/number` → `card.number`, `/menus/0/menuId` → `menus[0].menuId`: the contract's way of naming a field. */
const fieldOf = (instancePath: string): string =>
  instancePath
    .split('/')
    .filter(Boolean)
    .reduce((at, key) => (/^\d+$/.test(key) ? `${at}[${key}]` : at ? `${at}.${key}` : key), '');

/** The problem for an error thrown anywhere in a request, or undefined for one the desk did not foresee (a 500). */
export function problemOf(err: unknown): Problem | undefined {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const problems = err.validation.map((issue) => {
      const field = fieldOf(issue.instancePath);
      const message = issue.message ?? 'is not valid';
      return field ? `${field} ${message}` : message;
    });
    const where = err.validationContext === 'body' ? 'the body' : `the ${err.validationContext}`;
    return problem(422, `${where} is not valid: ${problems.join('; ')}`, { problems });
  }
  if (err instanceof InvalidOrderError) return problem(422, err.message, { problems: err.problems });
  if (err instanceof InvalidCommandError || err instanceof InvalidMenuEventError)
    return problem(422, err.message);
  if (err instanceof OrderConflictError) return problem(409, err.message);
  if (err instanceof OrderFinishedError)
    return problem(409, err.message, { executionStatus: err.executionStatus });
  if (err instanceof CommandRefusedError)
    return problem(409, err.answer.reason ?? err.message, { answer: err.answer });
  if (err instanceof OrderNotFoundError || err instanceof MatchNotFoundError)
    return problem(404, err.message);
  if (err instanceof OrderNotAnsweringError) return problem(503, err.message);
  if (err instanceof LinkRefusedError) return problem(403, err.message);
  if (err instanceof DeskRefusal)
    return err.retryAfter === undefined
      ? problem(err.status, err.message)
      : problem(err.status, err.message, { title: 'Not ready yet', retryAfter: err.retryAfter });
  const fastifyError = err as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'the body is larger than 64 KiB; an order or a command is far smaller');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(400, `the body is not JSON: ${fastifyError.message ?? 'it does not parse'}`);
  }
  if (err instanceof SyntaxError) return problem(400, `the body is not JSON: ${err.message}`);
  return undefined;
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  if (body.retryAfter !== undefined) void reply.header('retry-after', String(body.retryAfter));
  return reply.code(body.status).type('application/problem+json').send(body);
}
