/**
 * An order's story as its page tells it, from the order's own state and its match's: what happened, in words, with
 * every time to the second. Nothing here reads the workflow's input, so no card data can reach a page.
 */
import type { Client } from '@temporalio/client';
import { getMatchState, MatchNotFoundError } from '../../clients/catering-match-client';
import { formatAmount } from '../../clients/operator-view';
import { getOrderState } from '../../clients/order-client';
import type { CateringMatchState, OrderState, OrderStatus } from '../../contract';
import { isFinalOrderStatus } from '../../contract';
import { formatTime } from './page-kit';

export interface StoryMenu {
  menuId: string;
  catererId: string;
  customer: string;
  caterer: string;
  chosen: boolean;
}

export interface OrderStory {
  orderId: string;
  status: OrderStatus;
  /** No more commands or answers change this order. */
  finished: boolean;
  customerId: string;
  amount: string;
  submittedAt: string;
  validation: string[];
  menus: StoryMenu[];
  /** Why there are no answers to show: no match yet, or no menus at all. */
  matchNote?: string;
  matchStatus?: string;
  matchDeadline?: string;
  confirmBy?: string;
  /** Confirmed, or why not (yet). */
  outcome: string;
  refusals: { at: string; text: string }[];
  transitions: { at: string; status: OrderStatus; note?: string }[];
}

function validationLines(order: OrderState): string[] {
  const v = order.validation;
  const rounds = `${v.rounds} round${v.rounds === 1 ? '' : 's'}`;
  const lines: string[] = [];
  switch (v.outcome) {
    case 'Validated':
      lines.push(`Card validated at ${formatTime(v.answeredAt)} (${rounds}).`);
      break;
    case 'Failed':
    case 'InvalidCardData':
      lines.push(
        `Card refused at ${formatTime(v.answeredAt)}${v.reason ? `: ${v.reason}` : ''} (${rounds}).`,
      );
      break;
    case 'Pending':
      lines.push(`Card validation pending (${rounds} so far).`);
  }
  if (v.unusablePolicy) lines.push(`The order's validation policy cannot be used: ${v.unusablePolicy}`);
  if (v.outcome === 'Pending' && v.lastFailure) lines.push(`Last failure: ${v.lastFailure}`);
  if (v.nextReactivationAt) lines.push(`Next try on its own at ${formatTime(v.nextReactivationAt)}.`);
  for (const stall of order.stallEpisodes)
    lines.push(
      `Stalled (episode ${stall.episode}) from ${formatTime(stall.stalledAt)}${
        stall.endedAt ? ` until ${formatTime(stall.endedAt)}` : ', still stalled'
      }; ${stall.reactivations} re-activation${stall.reactivations === 1 ? '' : 's'}; last failure: ${stall.lastFailure}`,
    );
  return lines;
}

function outcomeOf(order: OrderState, match: CateringMatchState | undefined): string {
  switch (order.status) {
    case 'Confirmed':
      return order.confirmation
        ? `Confirmed with menu ${order.confirmation.menuId} at ${formatTime(order.confirmation.confirmedAt)}.`
        : 'Confirmed.';
    case 'Cancelled':
      return `Cancelled at ${formatTime(order.cancellation?.at)}${
        order.cancellation?.reason ? `: ${order.cancellation.reason}` : ' (no reason given)'
      }.`;
    case 'Rejected':
      return `Not confirmed: the card was refused${order.validation.reason ? ` (${order.validation.reason})` : ''}.`;
    case 'Expired':
      return `Not confirmed: no menu was agreed by ${formatTime(order.confirmBy)}${
        match?.outcomeReason ? ` (${match.outcomeReason})` : ''
      }.`;
    case 'ValidationStalled':
      return 'Not confirmed yet: the card validation is stalled; resume it once the validator answers again.';
    case 'Pending':
      return order.pendingConfirmation
        ? `Not confirmed yet: menu ${order.pendingConfirmation.menuId} is agreed and waits for the card validation.`
        : 'Not confirmed yet: waiting for the card validation.';
    case 'Validated':
      if (match && match.status !== 'AwaitingConfirmations')
        return `Not confirmed yet: the match ended ${match.status}${match.outcomeReason ? ` (${match.outcomeReason})` : ''}.`;
      return `Not confirmed yet: waiting for the customer and a caterer to agree on a menu, until ${formatTime(order.confirmBy ?? match?.deadline)}.`;
  }
}

const customerWord = (menu: CateringMatchState['menus'][number]): string =>
  menu.customerConfirmed ? `confirmed at ${formatTime(menu.customerConfirmedAt)}` : 'no answer yet';

const catererWord = (menu: CateringMatchState['menus'][number]): string => {
  switch (menu.caterer) {
    case 'confirmed':
      return `confirmed at ${formatTime(menu.catererAnsweredAt)}`;
    case 'declined':
      return `declined at ${formatTime(menu.catererAnsweredAt)}${menu.declineReason ? `: ${menu.declineReason}` : ''}`;
    case 'none':
      return 'no answer yet';
  }
};

async function matchOrNothing(client: Client, orderId: string): Promise<CateringMatchState | undefined> {
  try {
    return await getMatchState(client, orderId);
  } catch (err) {
    if (err instanceof MatchNotFoundError) return undefined;
    throw err;
  }
}

/** The story of an order; OrderNotFoundError for an unknown one (the page's 404). */
export async function orderStory(client: Client, orderId: string): Promise<OrderStory> {
  const order = await getOrderState(client, orderId);
  const match = order.menus.length > 0 ? await matchOrNothing(client, orderId) : undefined;
  const story: OrderStory = {
    orderId: order.orderId,
    status: order.status,
    finished: isFinalOrderStatus(order.status),
    customerId: order.customerId,
    amount: formatAmount(order),
    submittedAt: formatTime(order.submittedAt),
    validation: validationLines(order),
    menus: order.menus.map((offer) => {
      const answers = match?.menus.find((m) => m.menuId === offer.menuId);
      return {
        menuId: offer.menuId,
        catererId: offer.catererId,
        customer: answers ? customerWord(answers) : 'no answer yet',
        caterer: answers ? catererWord(answers) : 'no answer yet',
        chosen: (order.confirmation?.menuId ?? match?.chosenMenuId) === offer.menuId,
      };
    }),
    outcome: outcomeOf(order, match),
    refusals: order.refusals.map((r) => ({
      at: formatTime(r.at),
      text: `${r.command}${r.menuId ? ` (menu ${r.menuId})` : ''} refused: ${r.reason}`,
    })),
    transitions: order.transitions.map((t) => ({
      at: formatTime(t.at),
      status: t.status,
      ...(t.note ? { note: t.note } : {}),
    })),
  };
  if (order.menus.length === 0) story.matchNote = 'This order offers no menus: there is no catering match.';
  else if (!match)
    story.matchNote = 'The catering match has not started yet: the order hands it its menus once it runs.';
  if (match) {
    story.matchStatus = match.status;
    story.matchDeadline = formatTime(match.deadline);
  }
  if (order.confirmBy) story.confirmBy = formatTime(order.confirmBy);
  return story;
}
