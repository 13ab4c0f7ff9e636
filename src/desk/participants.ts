/**
 * What a customer or caterer may see and do through their link, the same for the API and the pages: the menus offered
 * to them and their answers so far (no card data, nothing of other participants' menus), and an answer sent to the
 * order's match as the event the reference names, with an event id that makes pressing twice a duplicate.
 */
import type { Client } from '@temporalio/client';
import { getMatchState, MatchNotFoundError, publishMenuEvent } from '../clients/catering-match-client';
import { getOrderState } from '../clients/order-client';
import type { CateringMatchState, CateringMatchStatus } from '../contract';
import { isFinalOrderStatus } from '../contract';
import { answerEventId, signLink } from './links';
import type { LinkClaims } from './links';
import { DeskRefusal } from './problems';

export type Answer = 'confirm' | 'decline';

export interface MenuForParticipant {
  menuId: string;
  catererId?: string;
  /** This participant's own word on the menu. */
  answer: 'none' | 'confirmed' | 'declined';
  answeredAt?: string;
}

export interface ParticipantView {
  orderId: string;
  role: LinkClaims['role'];
  catererId?: string;
  menus: MenuForParticipant[];
  matchStatus: CateringMatchStatus;
  /** The menu both sides agreed on, once they have. */
  chosenMenuId?: string;
  deadline: string;
  /** What this participant may still do: answer while the match waits for confirmations. */
  open: boolean;
}

const menusFor = (claims: LinkClaims, match: CateringMatchState): MenuForParticipant[] =>
  match.menus
    .filter((menu) => claims.role === 'customer' || menu.catererId === claims.catererId)
    .map((menu) => {
      const own: MenuForParticipant = { menuId: menu.menuId, answer: 'none' };
      if (menu.catererId !== undefined) own.catererId = menu.catererId;
      if (claims.role === 'customer') {
        if (menu.customerConfirmed) own.answer = 'confirmed';
        if (menu.customerConfirmedAt !== undefined) own.answeredAt = menu.customerConfirmedAt;
      } else {
        if (menu.caterer !== 'none') own.answer = menu.caterer;
        if (menu.catererAnsweredAt !== undefined) own.answeredAt = menu.catererAnsweredAt;
      }
      return own;
    });

/** The order's match, or the refusal `missing` makes when there is none. */
async function matchOf(
  client: Client,
  orderId: string,
  missing = () =>
    new DeskRefusal(404, `order ${orderId} has no catering match (yet); ask the operations desk`),
): Promise<CateringMatchState> {
  try {
    return await getMatchState(client, orderId);
  } catch (err) {
    if (err instanceof MatchNotFoundError) throw missing();
    throw err;
  }
}

export async function participantView(client: Client, claims: LinkClaims): Promise<ParticipantView> {
  const match = await matchOf(client, claims.orderId);
  const view: ParticipantView = {
    orderId: claims.orderId,
    role: claims.role,
    menus: menusFor(claims, match),
    matchStatus: match.status,
    deadline: match.deadline,
    open: match.status === 'AwaitingConfirmations',
  };
  if (claims.role === 'caterer') view.catererId = claims.catererId;
  if (match.chosenMenuId !== undefined) view.chosenMenuId = match.chosenMenuId;
  return view;
}

/**
 * Sends this participant's answer on one of their menus. Refused here, before anything reaches the match: a menu not
 * offered to them (403), a customer declining (422: a customer simply does not confirm), a match that no longer
 * takes answers (409).
 */
export async function answerAsParticipant(
  client: Client,
  claims: LinkClaims,
  menuId: string,
  answer: Answer,
): Promise<ParticipantView> {
  const before = await participantView(client, claims);
  if (!before.menus.some((menu) => menu.menuId === menuId))
    throw new DeskRefusal(
      403,
      claims.role === 'caterer'
        ? `menu ${menuId} is not catered by ${claims.catererId}; this link answers only for that caterer's menus`
        : `menu ${menuId} is not on offer for order ${claims.orderId}`,
    );
  if (claims.role === 'customer' && answer === 'decline')
    throw new DeskRefusal(
      422,
      'a customer does not decline a menu: confirm the one you want, or leave the others',
    );
  if (!before.open)
    throw new DeskRefusal(
      409,
      `the match for order ${claims.orderId} is ${before.matchStatus}; it takes no more answers`,
    );
  const eventId = answerEventId(claims, menuId, answer);
  const { orderId } = claims;
  if (claims.role === 'customer')
    await publishMenuEvent(client, 'CustomerConfirmedMenu', { orderId, menuId, eventId });
  else if (answer === 'confirm')
    await publishMenuEvent(client, 'CatererConfirmedMenu', {
      orderId,
      menuId,
      eventId,
      catererId: claims.catererId,
    });
  else
    await publishMenuEvent(client, 'CatererDeclinedMenu', {
      orderId,
      menuId,
      eventId,
      catererId: claims.catererId,
    });
  // A query after the signal is answered once the match has taken it: the view shows the answer just sent.
  return participantView(client, claims);
}

export interface ParticipantLinks {
  orderId: string;
  expiresAt: string;
  customer: { url: string };
  caterers: { catererId: string; url: string }[];
}

/**
 * One link per participant of an order's match: the customer, and each caterer of a menu on offer; each valid until
 * the match's deadline, which is the order's own (`confirmWithin`).
 */
export async function participantLinks(
  client: Client,
  orderId: string,
  link: { key: string; publicUrl: string },
): Promise<ParticipantLinks> {
  const order = await getOrderState(client, orderId);
  if (isFinalOrderStatus(order.status))
    throw new DeskRefusal(409, `order ${orderId} is ${order.status}; it takes no more answers`);
  if (order.menus.length === 0)
    throw new DeskRefusal(
      409,
      `order ${orderId} offers no menus; there is nothing for a customer or caterer to answer`,
    );
  // The order hands its menus to its match in an activity right after it answers OrderStored.
  const match = await matchOf(
    client,
    orderId,
    () =>
      new DeskRefusal(
        503,
        `order ${orderId} is handing its menus to its catering match; ask again in a moment`,
        1,
      ),
  );
  const url = (claims: LinkClaims) => `${link.publicUrl}/respond/${signLink(link.key, claims)}`;
  const expiresAt = match.deadline;
  const caterers = [...new Set(order.menus.map((menu) => menu.catererId))];
  return {
    orderId,
    expiresAt,
    customer: { url: url({ orderId, role: 'customer', expiresAt }) },
    caterers: caterers.map((catererId) => ({
      catererId,
      url: url({ orderId, role: 'caterer', catererId, expiresAt }),
    })),
  };
}
