import { randomBytes } from 'node:crypto';
import { maxLengths } from '../src/contract/messages';
import { answerEventId, LinkRefusedError, readLink, signLink } from '../src/desk/links';
import type { LinkClaims } from '../src/desk/links';

const key = randomBytes(32).toString('base64url');
const now = new Date('2030-01-01T12:00:00.000Z');
const later = '2030-01-02T12:00:00.000Z';

const caterer: LinkClaims = { orderId: 'o-1', role: 'caterer', catererId: 'cat-1', expiresAt: later };
const customer: LinkClaims = { orderId: 'o-1', role: 'customer', expiresAt: later };

/** The token's claims, decoded, changed and encoded again, with the original signature kept. */
function withClaims(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [body, signature] = token.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(claims);
  return `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

const refusal = (token: string, at = now, withKey = key): string => {
  try {
    readLink(withKey, token, at);
  } catch (err) {
    expect(err).toBeInstanceOf(LinkRefusedError);
    return (err as Error).message;
  }
  throw new Error('the link was accepted');
};

describe('participant links', () => {
  test('when a link is signed, then reading it with the same key gives back its claims', () => {
    expect(readLink(key, signLink(key, caterer), now)).toEqual(caterer);
    expect(readLink(key, signLink(key, customer), now)).toEqual(customer);
  });

  test('when the token is URL-safe, then it can stand in a path as it is', () => {
    expect(signLink(key, caterer)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  test("when a caterer's link is edited to name another caterer, then it is refused as altered", () => {
    const token = signLink(key, caterer);
    const forged = withClaims(token, (claims) => (claims.catererId = 'cat-2'));
    expect(refusal(forged)).toMatch(/altered or was not made by this desk/);
  });

  test('when a link is edited to name another order, or to last longer, then it is refused as altered', () => {
    const token = signLink(key, customer);
    expect(refusal(withClaims(token, (claims) => (claims.orderId = 'o-2')))).toMatch(/altered/);
    expect(refusal(withClaims(token, (claims) => (claims.expiresAt = '2099-01-01T00:00:00.000Z')))).toMatch(
      /altered/,
    );
  });

  test("when a customer's link is edited into a caterer's, then it is refused as altered", () => {
    const token = signLink(key, customer);
    const forged = withClaims(token, (claims) => {
      claims.role = 'caterer';
      claims.catererId = 'cat-1';
    });
    expect(refusal(forged)).toMatch(/altered/);
  });

  test('when the signature is changed, shortened or lengthened, then the link is refused as altered', () => {
    const token = signLink(key, caterer);
    const [body, signature] = token.split('.') as [string, string];
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(refusal(`${body}.${flipped}`)).toMatch(/altered/);
    expect(refusal(`${body}.${signature.slice(0, -4)}`)).toMatch(/altered/);
    expect(refusal(`${body}.${signature}AAAA`)).toMatch(/altered/);
    expect(refusal(`${body}.`)).toMatch(/altered/);
  });

  test('when the token is not of the form body.signature, then it is refused as not a desk link', () => {
    const token = signLink(key, caterer);
    expect(refusal('')).toMatch(/not a desk link/);
    expect(refusal('no-dot-at-all')).toMatch(/not a desk link/);
    expect(refusal(`${token}.extra`)).toMatch(/not a desk link/);
  });

  test('when a link was signed with another key, then this desk refuses it', () => {
    const otherKey = randomBytes(32).toString('base64url');
    expect(refusal(signLink(otherKey, caterer))).toMatch(/not made by this desk/);
    expect(refusal(signLink(key, caterer), now, otherKey)).toMatch(/not made by this desk/);
  });

  test('when the link has expired, then it is refused saying when, and it works until that moment', () => {
    const token = signLink(key, { ...caterer, expiresAt: now.toISOString() });
    expect(refusal(token)).toBe(`this link expired at ${now.toISOString()}, the order's deadline`);
    expect(refusal(token, new Date(now.getTime() + 1))).toMatch(/expired/);
    expect(readLink(key, token, new Date(now.getTime() - 1)).orderId).toBe('o-1');
  });

  test('when a link carries no readable expiry, then it is refused as expired', () => {
    const token = signLink(key, { ...caterer, expiresAt: 'not a date' });
    expect(refusal(token)).toMatch(/expired/);
  });
});

describe("an answer's event id", () => {
  test('when the same participant gives the same answer on the same menu, then the id is the same', () => {
    expect(answerEventId(caterer, 'm-1', 'confirm')).toBe(answerEventId({ ...caterer }, 'm-1', 'confirm'));
    expect(answerEventId(customer, 'm-1', 'confirm')).toBe('desk:o-1:customer:m-1:confirm');
    expect(answerEventId(caterer, 'm-1', 'confirm')).toBe('desk:o-1:caterer:cat-1:m-1:confirm');
  });

  test('when anything of the answer differs, then the id differs', () => {
    const ids = [
      answerEventId(caterer, 'm-1', 'confirm'),
      answerEventId(caterer, 'm-1', 'decline'),
      answerEventId(caterer, 'm-2', 'confirm'),
      answerEventId({ ...caterer, catererId: 'cat-2' }, 'm-1', 'confirm'),
      answerEventId({ ...caterer, orderId: 'o-2' }, 'm-1', 'confirm'),
      answerEventId(customer, 'm-1', 'confirm'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("when the ids are as long as the contract allows, then the event id stays within the contract's bound, still one per answer", () => {
    const long: LinkClaims = {
      orderId: 'o'.repeat(maxLengths.orderId),
      role: 'caterer',
      catererId: 'c'.repeat(maxLengths.catererId),
      expiresAt: later,
    };
    const menuId = 'm'.repeat(maxLengths.menuId);
    const id = answerEventId(long, menuId, 'confirm');
    expect(id.length).toBeLessThanOrEqual(maxLengths.eventId);
    expect(id).toBe(answerEventId({ ...long }, menuId, 'confirm'));
    expect(answerEventId(long, menuId, 'decline')).not.toBe(id);
    expect(answerEventId({ ...long, catererId: `${'c'.repeat(99)}d` }, menuId, 'confirm')).not.toBe(id);
  });
});
