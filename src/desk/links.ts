/**
 * Participant links: the link is the credential. A token names one order, one role (the customer, or one caterer)
 * and when it stops working, and carries an HMAC-SHA256 of exactly that, so it cannot be edited to answer for another
 * order or another caterer.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { maxLengths } from '../contract/messages';

export type Participant = { role: 'customer' } | { role: 'caterer'; catererId: string };

export type LinkClaims = Participant & { orderId: string; expiresAt: string };

export class LinkRefusedError extends Error {
  override readonly name = 'LinkRefusedError';
}

const signatureOf = (key: string, body: string): Buffer => createHmac('sha256', key).update(body).digest();

/** `<claims, base64url JSON>.<signature, base64url>`: short enough for a URL, readable by no one but the desk. */
export function signLink(key: string, claims: LinkClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${signatureOf(key, body).toString('base64url')}`;
}

/** The claims of a link this desk signed that has not expired, or LinkRefusedError saying which it is not. */
export function readLink(key: string, token: string, now: Date): LinkClaims {
  const [body, signature, ...rest] = token.split('.');
  if (body === undefined || signature === undefined || rest.length > 0)
    throw new LinkRefusedError('this link is not a desk link; ask the operations desk for a new one');
  const expected = signatureOf(key, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new LinkRefusedError(
      'this link was altered or was not made by this desk; ask the operations desk for a new one',
    );
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkClaims;
  if (!(Date.parse(claims.expiresAt) > now.getTime()))
    throw new LinkRefusedError(`this link expired at ${claims.expiresAt}, the order's deadline`);
  return claims;
}

/** The event id an answer is sent with: the same answer through the same link is the same event, so a duplicate. */
export function answerEventId(claims: LinkClaims, menuId: string, answer: 'confirm' | 'decline'): string {
  const who = claims.role === 'caterer' ? `caterer:${claims.catererId}` : 'customer';
  const id = ['desk', claims.orderId, who, menuId, answer].join(':');
  // Long ids hashed, still one per answer: an event id has a bound of its own.
  return id.length <= maxLengths.eventId ? id : `desk:${createHash('sha256').update(id).digest('hex')}`;
}
