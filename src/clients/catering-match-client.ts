/**
 * The client side of CateringMatch: publishing menu events, starting a match with its menus, reading its state.
 * Every function takes the `Client` to use, so the CLI, tests and other services share one connection each.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { CateringMatch } from '../../workflows/catering-match/catering-match.workflow';
import {
  catererConfirmedMenuSignal,
  catererDeclinedMenuSignal,
  cateringMatchWorkflowId,
  customerConfirmedMenuSignal,
  findEventProblem,
  findInputProblem,
  getMatchStateQuery,
  MatchStatusAttribute,
  menuEventKinds,
  menusOfferedSignal,
  TaskQueue,
  WorkflowType,
} from '../contract';
import type {
  CateringMatchInput,
  CateringMatchState,
  CateringMatchStatus,
  MatchOfferOutcome,
  MatchOfferRequest,
  MenuEventByKind,
  MenuEventKind,
  MenusOffered,
} from '../contract';

export type { CateringMatchState, MenuEventKind } from '../contract';

/** A menu event that cannot be published; `field` names what is wrong. */
export class InvalidMenuEventError extends Error {
  override readonly name = 'InvalidMenuEventError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A CateringMatchInput that cannot start a match; `field` names what is wrong. */
export class InvalidMatchInputError extends Error {
  override readonly name = 'InvalidMatchInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** No catering match has ever run for this order (or its history is past the namespace's retention). */
export class MatchNotFoundError extends Error {
  override readonly name = 'MatchNotFoundError';
  constructor(readonly orderId: string) {
    super(`no catering match for order ${orderId}`);
  }
}

/** The order's match has already finished; it is never started a second time. */
export class MatchAlreadyFinishedError extends Error {
  override readonly name = 'MatchAlreadyFinishedError';
  constructor(
    readonly orderId: string,
    readonly runId: string | undefined,
    readonly status: CateringMatchStatus | undefined,
  ) {
    super(`the catering match for order ${orderId} has already finished (${status ?? 'status unknown'})`);
  }
}

export type PublishResult =
  | { outcome: 'delivered'; workflowId: string; runId: string }
  | {
      outcome: 'ignored';
      reason: 'match already finished';
      workflowId: string;
      /** The finished run the event was meant for. */
      runId?: string;
      /** Its final MatchStatus, when the server reports it. */
      status?: CateringMatchStatus;
    };

const signals = {
  CustomerConfirmedMenu: customerConfirmedMenuSignal,
  CatererConfirmedMenu: catererConfirmedMenuSignal,
  CatererDeclinedMenu: catererDeclinedMenuSignal,
} as const;

const matchSummary = (orderId: string, menuIds: string[] | undefined): string =>
  `Catering match for order ${orderId} · ${menuIds ? `menus ${menuIds.join(', ')}` : 'menus named by the events'}`;

async function finishedMatch(
  client: Client,
  workflowId: string,
): Promise<{ runId?: string; status?: CateringMatchStatus }> {
  let description: WorkflowExecutionDescription;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    // Deleted by retention between the rejection and this call: nothing more to tell.
    if (err instanceof WorkflowNotFoundError) return {};
    throw err;
  }
  const status = description.typedSearchAttributes.get(MatchStatusAttribute) as
    CateringMatchStatus | undefined;
  return { runId: description.runId, ...(status !== undefined ? { status } : {}) };
}

/**
 * Publishes one menu event to its order's CateringMatch, starting the match if this is the order's first event.
 *
 * Signal-with-start with these policies:
 * - conflict policy (a match is *running*): the default for signal-with-start, which is to signal the running
 *   match. That is the whole point: events for an open match are delivered to it, in order, and the match's own
 *   rules decide what they change.
 * - reuse policy (a match has *closed*): `REJECT_DUPLICATE`. A finished match's decision is final, so an event
 *   arriving after it (a late or redelivered event) must never start a second match that could send a second
 *   ConfirmOrder. Both the dev server and the time-skipping test server answer `WorkflowExecutionAlreadyStarted`
 *   for a closed id under this policy, whatever the closed run's outcome; that answer becomes
 *   `{ outcome: 'ignored' }` with the finished match's status. The id stays taken for the namespace's retention
 *   period; after that, a very late event would open a new match, which would only expire.
 *
 * `delivered` means the match received the event, not that it changed anything: the match ignores duplicates,
 * events for menus or caterers it does not know, and events that race its completion (see its `getState`).
 */
export async function publishMenuEvent<K extends MenuEventKind>(
  client: Client,
  kind: K,
  event: MenuEventByKind[K],
): Promise<PublishResult> {
  if (!(menuEventKinds as readonly string[]).includes(kind)) {
    throw new InvalidMenuEventError(
      'kind',
      `unknown menu event kind '${String(kind)}'; expected one of ${menuEventKinds.join(', ')}`,
    );
  }
  const problem = findEventProblem(kind, event);
  if (problem !== undefined) throw new InvalidMenuEventError(problem.field, problem.message);

  const workflowId = cateringMatchWorkflowId(event.orderId);
  try {
    const handle = await client.workflow.signalWithStart<typeof CateringMatch, [MenuEventByKind[K]]>(
      WorkflowType.cateringMatch,
      {
        workflowId,
        taskQueue: TaskQueue.orders,
        args: [{ orderId: event.orderId }],
        signal: signals[kind] as SignalDefinition<[MenuEventByKind[K]]>,
        signalArgs: [event],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: matchSummary(event.orderId, undefined),
      },
    );
    return { outcome: 'delivered', workflowId, runId: handle.signaledRunId };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return {
      outcome: 'ignored',
      reason: 'match already finished',
      workflowId,
      ...(await finishedMatch(client, workflowId)),
    };
  }
}

/**
 * Starts an order's match with the menus on offer and a confirmation deadline.
 *
 * `USE_EXISTING`: when an event got there first and started the match by signal-with-start, this is not an error;
 * the running match is returned as it is (it keeps learning its menus from events; `getState().menusOffered`
 * tells which kind of match is running). `REJECT_DUPLICATE`: a finished match is never restarted, for the same
 * reason as in `publishMenuEvent`; that raises `MatchAlreadyFinishedError`.
 */
export async function startCateringMatch(
  client: Client,
  input: CateringMatchInput,
): Promise<{ workflowId: string; runId: string }> {
  const problem = findInputProblem(input);
  if (problem !== undefined) throw new InvalidMatchInputError(problem.field, problem.message);
  const workflowId = cateringMatchWorkflowId(input.orderId);
  try {
    const handle = await client.workflow.start<typeof CateringMatch>(WorkflowType.cateringMatch, {
      workflowId,
      taskQueue: TaskQueue.orders,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: matchSummary(
        input.orderId,
        input.menus?.map((m) => m.menuId),
      ),
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const { runId, status } = await finishedMatch(client, workflowId);
    throw new MatchAlreadyFinishedError(input.orderId, runId, status);
  }
}

/**
 * Hands an order's menus and their caterers to its match (the order is their source), by signal-with-start: a
 * running match, however it was started, gets the offer; when no event has started one yet, the match starts
 * awaiting it and gets it in its first task. `REJECT_DUPLICATE` for the same reason as in `publishMenuEvent`: a
 * finished match is never restarted. Idempotent: the match ignores the same offer again, so a retry changes nothing.
 */
export async function offerMenusToMatch(
  client: Client,
  request: MatchOfferRequest,
): Promise<MatchOfferOutcome> {
  const { offer, confirmWithin } = request;
  const input: CateringMatchInput = { orderId: offer.orderId };
  if (confirmWithin !== undefined) input.confirmWithin = confirmWithin;
  try {
    await client.workflow.signalWithStart<typeof CateringMatch, [MenusOffered]>(WorkflowType.cateringMatch, {
      workflowId: cateringMatchWorkflowId(offer.orderId),
      taskQueue: TaskQueue.orders,
      args: [input],
      signal: menusOfferedSignal,
      // The deadline travels with the offer too: a match that an event started first takes it from there.
      signalArgs: [confirmWithin === undefined ? offer : { ...offer, confirmWithin }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: matchSummary(
        offer.orderId,
        offer.menus?.map((m) => m.menuId),
      ),
    });
    return 'offered';
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return 'match already finished';
  }
}

/**
 * The match's state: queried from a running match, read from the result of a completed one (so no worker is
 * needed to look at finished matches).
 */
export async function getMatchState(client: Client, orderId: string): Promise<CateringMatchState> {
  const handle = client.workflow.getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId));
  try {
    const { status } = await handle.describe();
    if (status.name === 'COMPLETED') return await handle.result();
    return await handle.query(getMatchStateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new MatchNotFoundError(orderId);
    throw err;
  }
}
