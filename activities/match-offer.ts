import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { offerMenusToMatch } from '../src/clients/catering-match-client';
import type { MatchOfferOutcome, MatchOfferRequest } from '../src/contract';

/**
 * The Order's hand-over of its menus to `catering-match-<orderId>`. An activity, not a child workflow: the match is
 * the order's peer, not its child (events may start it first, and it outlives the order), so no parent-close policy
 * or child-completion event ties their lifetimes together.
 */
export const createMatchOfferActivities = (client: Client) => ({
  async offerMenusToMatch(request: MatchOfferRequest): Promise<MatchOfferOutcome> {
    const outcome = await offerMenusToMatch(client, request);
    log.info('menus offered to the catering match', { orderId: request.offer.orderId, outcome });
    return outcome;
  },
});
