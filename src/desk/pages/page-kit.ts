/**
 * What every page route shares: the operator's session cookie, the one-shot message a form leaves for the page it
 * redirects to, the fields of a posted form, and an error rendered as a page rather than as problem+json.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemOf } from '../problems';

/** The operator's session: the token itself, in a cookie no script can read and no other site can send. */
export const sessionCookie = 'desk_operator';
/** A message from a form to the page it redirects to, read once. */
const flashCookie = 'desk_flash';

/** Both cookies are the desk's own: HttpOnly (no script reads them) and SameSite=Strict (no other site sends them). */
const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' } as const;

export function setCookie(reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void {
  reply.setCookie(
    name,
    value,
    maxAgeSeconds === undefined ? cookieOptions : { ...cookieOptions, maxAge: maxAgeSeconds },
  );
}

export const clearCookie = (reply: FastifyReply, name: string): void => {
  reply.clearCookie(name, cookieOptions);
};

/** A cookie of the request by name, as @fastify/cookie parsed it; undefined when absent. */
export const cookieOf = (request: FastifyRequest, name: string): string | undefined => request.cookies[name];

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
  /** Each field that is wrong, in the contract's words. */
  problems?: string[];
}

export function setFlash(reply: FastifyReply, flash: Flash): void {
  // Short-lived: it is meant for the very next page, not for a page opened tomorrow.
  setCookie(reply, flashCookie, JSON.stringify(flash), 60);
}

/** The message left for this page, if any, cleared so that a reload does not show it again. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | undefined {
  const raw = cookieOf(request, flashCookie);
  if (raw === undefined) return undefined;
  clearCookie(reply, flashCookie);
  try {
    const parsed = JSON.parse(raw) as Partial<Flash>;
    if ((parsed.kind === 'ok' || parsed.kind === 'error') && typeof parsed.text === 'string') {
      const flash: Flash = { kind: parsed.kind, text: parsed.text };
      if (Array.isArray(parsed.problems)) flash.problems = parsed.problems.map(String);
      return flash;
    }
  } catch {
    // A cookie edited by hand is no message.
  }
  return undefined;
}

/** One text field of a posted form (`application/x-www-form-urlencoded`), trimmed; absent or empty is undefined. */
export function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  const text: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Where a login may send the operator back to: a path of this desk, never another site. */
export const safeNext = (next: string | undefined): string =>
  next !== undefined && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
    ? next
    : '/';

/**
 * Runs a form's action and redirects back (303) with what came of it: the outcome, or the refusal in the order's
 * own words. An unknown order is no message but a 404 page.
 */
export async function postThenRedirect(
  reply: FastifyReply,
  back: string,
  action: () => Promise<Flash>,
): Promise<FastifyReply> {
  try {
    setFlash(reply, await action());
  } catch (err) {
    const known = problemOf(err);
    if (!known || known.status === 404) throw err;
    const flash: Flash = { kind: 'error', text: known.detail };
    if (known.problems) flash.problems = known.problems;
    setFlash(reply, flash);
  }
  return reply.redirect(back, 303);
}

/** `2026-12-07T01:50:25.123Z` → `2026-12-07 01:50:25 UTC`: to the second, in the zone the desk reports in. */
export const formatTime = (iso: string | undefined): string =>
  iso === undefined || Number.isNaN(Date.parse(iso))
    ? ''
    : `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
