import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  getMatchState,
  InvalidMatchInputError,
  InvalidMenuEventError,
  MatchAlreadyFinishedError,
  MatchNotFoundError,
  publishMenuEvent,
  startCateringMatch,
} from '../src/clients/catering-match-client';
import type { PublishResult } from '../src/clients/catering-match-client';
import { cateringMatchWorkflowId, MatchStatusAttribute } from '../src/contract';
import type { CustomerConfirmedMenu } from '../src/contract';
import type { CateringMatch } from '../workflows/catering-match/catering-match.workflow';
import {
  confirmOrdersReceived,
  offerAsOrder,
  startOrderRecorder,
  useMatchWorker,
} from './support/catering-match';
import { createDevServerEnv, createTimeSkippingEnv, uniqueId } from './support/environments';
import { eventually } from './support/eventually';

// expect.any() is typed `any`; held as unknown so the matchers stay type-safe around it.
const anyString: unknown = expect.any(String);

// The reuse policy is server behaviour, not SDK behaviour: the same checks run against both servers, one at a
// time (jest runs a describe block's afterAll before the next block's beforeAll).
describe.each([
  ['the time-skipping test server', createTimeSkippingEnv],
  ['the dev server', createDevServerEnv],
] as const)('publishing menu events on %s', (_server, createEnv) => {
  const match = useMatchWorker(createEnv);
  let env: TestWorkflowEnvironment;
  beforeAll(() => {
    env = match.env;
  });

  const matchHandle = (orderId: string) =>
    env.client.workflow.getHandle<typeof CateringMatch>(cateringMatchWorkflowId(orderId));

  const customerConfirmed = (orderId: string, menuId = 'A'): CustomerConfirmedMenu => ({
    orderId,
    menuId,
    eventId: uniqueId('evt'),
  });

  async function matchedOrder(): Promise<{ orderId: string; runId: string }> {
    const orderId = uniqueId('order');
    await startOrderRecorder(env.client, orderId);
    const first = await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customerConfirmed(orderId));
    await offerAsOrder(env.client, orderId, [{ menuId: 'A', catererId: 'chef' }]);
    const second = await publishMenuEvent(env.client, 'CatererConfirmedMenu', {
      orderId,
      menuId: 'A',
      catererId: 'chef',
      eventId: uniqueId('evt'),
    });
    expect(second).toEqual(first);
    const final = await matchHandle(orderId).result();
    expect(final.status).toBe('Matched');
    if (first.outcome !== 'delivered') throw new Error('expected the first event to be delivered');
    return { orderId, runId: first.runId };
  }

  it('when the first event for an order is published, then it starts that order’s match, which holds it until the order’s offer', async () => {
    const orderId = uniqueId('order');
    const result = await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customerConfirmed(orderId));

    expect(result).toEqual({
      outcome: 'delivered',
      workflowId: `catering-match-${orderId}`,
      runId: anyString,
    });
    const description = await matchHandle(orderId).describe();
    expect(description.type).toBe('CateringMatch');
    expect(description.taskQueue).toBe('orders');
    expect(description.runId).toBe((result as Extract<PublishResult, { outcome: 'delivered' }>).runId);
    const state = await getMatchState(env.client, orderId);
    expect(state).toMatchObject({
      orderId,
      status: 'AwaitingConfirmations',
      menusOffered: false,
      awaitingOffer: true,
      menus: [],
      heldEvents: [{ kind: 'CustomerConfirmedMenu', event: { orderId, menuId: 'A' } }],
      processedEventCount: 0,
    });

    await offerAsOrder(env.client, orderId, [{ menuId: 'A', catererId: 'chef' }]);
    await expect(
      eventually(
        'the held event applied against the offer',
        () => getMatchState(env.client, orderId),
        (s) => s.processedEventCount === 1,
      ),
    ).resolves.toMatchObject({
      menusOffered: true,
      menus: [{ menuId: 'A', catererId: 'chef', customerConfirmed: true, caterer: 'none' }],
    });
  });

  it('when both sides confirm through the publisher, then the match sends one ConfirmOrder and completes', async () => {
    const { orderId } = await matchedOrder();

    expect(await confirmOrdersReceived(env.client, orderId)).toEqual([
      { orderId, menuId: 'A', eventId: `catering-match-${orderId}:confirm` },
    ]);
    const description = await matchHandle(orderId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(MatchStatusAttribute)).toBe('Matched');
  });

  it('when an event arrives after the match finished, then it is reported ignored and the match is not restarted', async () => {
    const { orderId, runId } = await matchedOrder();

    const late = await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customerConfirmed(orderId, 'B'));
    const lateDecline = await publishMenuEvent(env.client, 'CatererDeclinedMenu', {
      orderId,
      menuId: 'A',
      catererId: 'chef',
      eventId: uniqueId('evt'),
    });

    const ignored = {
      outcome: 'ignored',
      reason: 'match already finished',
      workflowId: cateringMatchWorkflowId(orderId),
      runId,
      status: 'Matched',
    };
    expect(late).toEqual(ignored);
    expect(lateDecline).toEqual(ignored);
    const description = await matchHandle(orderId).describe();
    expect(description.runId).toBe(runId);
    expect(description.status.name).toBe('COMPLETED');
    expect(await confirmOrdersReceived(env.client, orderId)).toHaveLength(1);
  });

  it('when a match is started explicitly after an event started it, then the running match is returned', async () => {
    const orderId = uniqueId('order');
    const published = await publishMenuEvent(env.client, 'CustomerConfirmedMenu', customerConfirmed(orderId));

    const started = await startCateringMatch(env.client, {
      orderId,
      menus: [{ menuId: 'A', catererId: 'chef' }],
    });

    expect(published.outcome).toBe('delivered');
    expect(started).toEqual({
      workflowId: cateringMatchWorkflowId(orderId),
      runId: (published as Extract<PublishResult, { outcome: 'delivered' }>).runId,
    });
    expect((await getMatchState(env.client, orderId)).menusOffered).toBe(false);
  });

  it('when a match is started explicitly, then its menus and deadline are the ones given', async () => {
    const orderId = uniqueId('order');
    const started = await startCateringMatch(env.client, {
      orderId,
      menus: [
        { menuId: 'A', catererId: 'chef-a' },
        { menuId: 'B', catererId: 'chef-b' },
      ],
      confirmWithin: '2 days',
    });
    const delivered = await publishMenuEvent(
      env.client,
      'CustomerConfirmedMenu',
      customerConfirmed(orderId, 'B'),
    );

    expect(delivered).toEqual({ outcome: 'delivered', workflowId: started.workflowId, runId: started.runId });
    const state = await getMatchState(env.client, orderId);
    expect(state.menusOffered).toBe(true);
    expect(state.menus.map((m) => [m.menuId, m.catererId, m.customerConfirmed])).toEqual([
      ['A', 'chef-a', false],
      ['B', 'chef-b', true],
    ]);
    expect(Date.parse(state.deadline) - Date.parse(state.startedAt)).toBe(2 * 24 * 3600_000);
    expect(
      await matchHandle(orderId)
        .describe()
        .then((d) => d.staticSummary()),
    ).toBe(`Catering match for order ${orderId} · menus A, B`);
  });

  it('when a finished match is started explicitly again, then it is refused and not restarted', async () => {
    const { orderId, runId } = await matchedOrder();

    const restart = startCateringMatch(env.client, { orderId, menus: [{ menuId: 'A', catererId: 'chef' }] });

    await expect(restart).rejects.toBeInstanceOf(MatchAlreadyFinishedError);
    await expect(restart).rejects.toMatchObject({ orderId, runId, status: 'Matched' });
    expect((await matchHandle(orderId).describe()).runId).toBe(runId);
  });

  it('when a finished match’s state is read, then it comes from its result', async () => {
    const { orderId } = await matchedOrder();

    const state = await getMatchState(env.client, orderId);

    expect(state).toMatchObject({ orderId, status: 'Matched', chosenMenuId: 'A' });
    expect(state.confirmOrder?.eventId).toBe(`catering-match-${orderId}:confirm`);
  });

  it('when the state of an order without a match is read, then MatchNotFoundError names the order', async () => {
    const orderId = uniqueId('order');

    await expect(getMatchState(env.client, orderId)).rejects.toEqual(new MatchNotFoundError(orderId));
    await expect(getMatchState(env.client, orderId)).rejects.toMatchObject({ orderId });
  });

  it('when an event is malformed, then InvalidMenuEventError names the field and no match is started', async () => {
    const orderId = uniqueId('order');

    await expect(
      publishMenuEvent(env.client, 'CatererConfirmedMenu', { orderId, menuId: 'A', eventId: 'e1' } as never),
    ).rejects.toMatchObject({ name: 'InvalidMenuEventError', field: 'catererId' });
    await expect(
      publishMenuEvent(env.client, 'CustomerConfirmedMenu', { orderId, menuId: 'A', eventId: '' }),
    ).rejects.toMatchObject({ field: 'eventId' });
    await expect(
      publishMenuEvent(env.client, 'CustomerConfirmedMenu', { orderId: ' ', menuId: 'A', eventId: 'e1' }),
    ).rejects.toBeInstanceOf(InvalidMenuEventError);
    await expect(
      publishMenuEvent(env.client, 'SomethingElse' as never, customerConfirmed(orderId) as never),
    ).rejects.toMatchObject({ field: 'kind' });
    await expect(matchHandle(orderId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('when an explicit start is malformed, then InvalidMatchInputError names the field and nothing starts', async () => {
    const orderId = uniqueId('order');
    const twice = [
      { menuId: 'A', catererId: 'chef-a' },
      { menuId: 'A', catererId: 'chef-b' },
    ];

    await expect(startCateringMatch(env.client, { orderId, menus: twice })).rejects.toMatchObject({
      name: 'InvalidMatchInputError',
      field: 'menus[1].menuId',
    });
    await expect(
      startCateringMatch(env.client, { orderId, confirmWithin: 'soon' as never }),
    ).rejects.toMatchObject({
      field: 'confirmWithin',
    });
    await expect(startCateringMatch(env.client, { orderId: '' })).rejects.toBeInstanceOf(
      InvalidMatchInputError,
    );
    await expect(matchHandle(orderId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
