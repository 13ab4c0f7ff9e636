import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FaultInjection } from '../activities/credit-card-validator';
import { checkOrderSubmitted } from '../src/contract/order-input';
import { cateringMatchWorkflowId, orderWorkflowId } from '../src/contract';
import type {
  CateringMatchState,
  CommandAnswer,
  OrderState,
  OrderStored,
  OrderSubmitted,
} from '../src/contract';
import type { OrderPage } from '../src/clients/order-pages';
import { buildDesk } from '../src/desk/app';
import { signLink } from '../src/desk/links';
import type { ParticipantLinks, ParticipantView } from '../src/desk/participants';
import type { Problem } from '../src/desk/problems';
import { createValidatorWorker, orderWorkerActivities } from './support/app-workers';
import { startDesk } from './support/desk';
import type { RunningDesk } from './support/desk';
import { createDevServerEnv, createTestWorker, uniqueId } from './support/environments';
import { eventually } from './support/eventually';
import { orderInput } from './support/order-harness';
import { StoppableWorker } from './support/stoppable-worker';

const cardDigits = '4242424242424242';

/** The response's body, once its status is the one expected (the body is in the failure message when it is not). */
async function answered<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(`${response.status} ${text}`).toMatch(new RegExp(`^${status} `));
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An RFC 9457 problem with this status: its content type, and type, title, status and detail all there. */
async function problemAnswer(response: Response, status: number): Promise<Problem> {
  const problem = await answered<Problem>(response, status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(problem.type).toBe('about:blank');
  expect(problem.status).toBe(status);
  expect(problem.title).toMatch(/\w/);
  expect(problem.detail).toMatch(/\w/);
  return problem;
}

const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('the desk API, against a dev server with the real workers', () => {
  let env: TestWorkflowEnvironment;
  let desk: RunningDesk;
  const faults: FaultInjection = {};
  /** The orderId of every OrderConfirmed the order worker published, once per call. */
  const published: string[] = [];
  /** Orders whose hand-over of their menus to the match waits until the test lets it go. */
  const heldOffers = new Map<string, Promise<void>>();
  const validator = new StoppableWorker(() => createValidatorWorker(env, faults));
  const orders = new StoppableWorker(() => {
    const activities = orderWorkerActivities(env);
    return createTestWorker(env, {
      activities: {
        ...activities,
        publishOrderConfirmed: async (notice: Parameters<typeof activities.publishOrderConfirmed>[0]) => {
          published.push(notice.orderId);
          await activities.publishOrderConfirmed(notice);
        },
        offerMenusToMatch: async (request: Parameters<typeof activities.offerMenusToMatch>[0]) => {
          await heldOffers.get(request.offer.orderId);
          return activities.offerMenusToMatch(request);
        },
      },
    });
  });

  beforeAll(async () => {
    env = await createDevServerEnv();
    await validator.start();
    await orders.start();
    desk = await startDesk(env);
  });
  afterAll(async () => {
    await desk?.close();
    await orders.stop();
    await validator.stop();
    await env?.teardown();
  });

  const submit = (order: unknown, init: RequestInit = {}) =>
    desk.operator('/api/orders', { ...postJson(order), ...init });
  const orderState = async (orderId: string) =>
    answered<OrderState>(await desk.operator(`/api/orders/${orderId}`), 200);
  const validated = (orderId: string) =>
    eventually(
      `order ${orderId} Validated`,
      () => orderState(orderId),
      (s) => s.status === 'Validated',
      30_000,
    );
  const nothingStarted = async (orderId: string) =>
    expect(env.client.workflow.getHandle(orderWorkflowId(orderId)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  const command = (orderId: string, name: string, body?: unknown, headers: Record<string, string> = {}) =>
    desk.operator(
      `/api/orders/${orderId}/${name}`,
      body === undefined ? { method: 'POST', headers } : postJson(body, headers),
    );

  describe('submitting an order', () => {
    test('when a new order is posted, then 201 with its Location and the OrderStored the order itself answered', async () => {
      const order = orderInput();
      const response = await submit(order);
      const stored = await answered<OrderStored>(response, 201);
      expect(response.headers.get('location')).toBe(`/api/orders/${order.orderId}`);
      expect(stored).toMatchObject({
        orderId: order.orderId,
        workflowId: orderWorkflowId(order.orderId),
        created: true,
        acknowledged: true,
      });
      const { runId } = await env.client.workflow.getHandle(orderWorkflowId(order.orderId)).describe();
      expect(stored.runId).toBe(runId);
    });

    test('when the same submission comes again, then 200 with the order as stored; other content under its id is 409', async () => {
      const order = orderInput();
      const first = await answered<OrderStored>(await submit(order), 201);
      const again = await answered<OrderStored>(await submit(order), 200);
      expect(again).toMatchObject({ orderId: order.orderId, runId: first.runId, created: false });

      const conflict = await problemAnswer(await submit({ ...order, amount: order.amount + 1 }), 409);
      expect(conflict.detail).toBe(
        `order ${order.orderId} already exists with different content; use a new orderId for a new order`,
      );
    });

    test('when a malformed order is posted, then 422 names every problem in the contract’s words, and nothing is started', async () => {
      const orderId = uniqueId('bad');
      const bad = {
        ...orderInput({ orderId }),
        amount: -5,
        currency: 'XYZ',
        card: { number: cardDigits, expiry: '13/40', holder: '' },
      };
      const contract = checkOrderSubmitted(bad);
      if (contract.ok) throw new Error('the contract took the malformed order');
      expect(contract.problems.length).toBeGreaterThanOrEqual(4);

      const problem = await problemAnswer(await submit(bad), 422);
      expect(problem.problems).toEqual(contract.problems);
      for (const field of ['amount', 'currency', 'card.expiry', 'card.holder'])
        expect(problem.detail).toContain(field);
      expect(JSON.stringify(problem)).not.toContain(cardDigits);
      await nothingStarted(orderId);
    });

    test('when the order is wrong only as a whole (its policy), then 422 with the contract’s problem, and nothing is started', async () => {
      const orderId = uniqueId('policy');
      const bad = orderInput({
        orderId,
        validationPolicy: {
          ...orderInput().validationPolicy,
          initialInterval: '10 seconds',
          maximumInterval: '1 second',
        },
      });
      const contract = checkOrderSubmitted(bad);
      if (contract.ok) throw new Error('the contract took the order');
      const problem = await problemAnswer(await submit(bad), 422);
      expect(problem.problems).toEqual(contract.problems);
      await nothingStarted(orderId);
    });

    test('when the operator token is missing or wrong, then 401 with WWW-Authenticate, and nothing is started', async () => {
      const order = orderInput();
      const anonymous = await fetch(`${desk.url}/api/orders`, postJson(order));
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const problem = await problemAnswer(anonymous, 401);
      expect(problem.detail).toMatch(/Authorization: Bearer/);

      const wrong = await fetch(
        `${desk.url}/api/orders`,
        postJson(order, { authorization: 'Bearer not-it' }),
      );
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer /);
      await problemAnswer(wrong, 401);
      const read = await fetch(`${desk.url}/api/orders/${order.orderId}`, {
        headers: { authorization: `Bearer ${desk.operatorToken}x` },
      });
      await problemAnswer(read, 401);
      await nothingStarted(order.orderId);
    });

    test('when the body is over 64 KiB, then 413, and nothing is started', async () => {
      const order = { ...orderInput(), note: 'x'.repeat(64 * 1024) };
      const problem = await problemAnswer(await submit(order), 413);
      expect(problem.detail).toMatch(/64 KiB/);
      await nothingStarted(order.orderId);
    });

    test('when the body is not JSON by its content type, then 415; when it does not parse, then 400', async () => {
      const order = orderInput();
      for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
        const response = await submit(order, { headers: { 'content-type': type } });
        expect((await problemAnswer(response, 415)).detail).toBe('send the body as application/json');
      }
      const broken = await submit(order, { body: `${JSON.stringify(order).slice(0, -1)},` });
      expect((await problemAnswer(broken, 400)).detail).toMatch(/not JSON/);
      await nothingStarted(order.orderId);
    });

    test('when 10 submissions of one order come at once, then one order is made: one run, exactly one 201', async () => {
      const order = orderInput();
      const responses = await Promise.all(Array.from({ length: 10 }, () => submit(order)));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      const stored = await Promise.all(responses.map((r) => r.json() as Promise<OrderStored>));
      const { runId } = await env.client.workflow.getHandle(orderWorkflowId(order.orderId)).describe();
      expect(new Set(stored.map((s) => s.runId))).toEqual(new Set([runId]));
      expect(stored.filter((s) => s.created)).toHaveLength(1);
      const runs = await eventually(
        'the order in visibility',
        () => env.client.workflow.count(`WorkflowId = '${orderWorkflowId(order.orderId)}'`),
        (c) => c.count >= 1,
        10_000,
      );
      expect(runs.count).toBe(1);
    });
  });

  describe('reading orders', () => {
    test('when an order is read, then 200 with its state, and no card number beyond the last four', async () => {
      const order = orderInput();
      await answered(await submit(order), 201);
      const state = await validated(order.orderId);
      expect(state).toMatchObject({
        orderId: order.orderId,
        customerId: order.customerId,
        amount: order.amount,
      });
      const text = await (await desk.operator(`/api/orders/${order.orderId}`)).text();
      expect(text).not.toContain(cardDigits);
      expect(text).not.toContain(order.card.number);
      expect(text.replace(/[ -]/g, '')).not.toMatch(/\d{5,}4242/);
    });

    test('when the order is unknown, then 404', async () => {
      const problem = await problemAnswer(await desk.operator(`/api/orders/${uniqueId('none')}`), 404);
      expect(problem.detail).toMatch(/^no order /);
    });

    test('when more orders than a page are listed, then paging gives every order once; a bad status or pageSize is 422', async () => {
      const customerId = uniqueId('pager');
      const ids = Array.from({ length: 7 }, () => uniqueId('p'));
      for (const orderId of ids)
        await answered(await submit(orderInput({ orderId, customerId, menus: [] })), 201);

      const pageThrough = async (query: string) => {
        const pages: OrderPage[] = [];
        let token: string | undefined;
        do {
          const path = `/api/orders?${query}&pageSize=3${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
          const page = await answered<OrderPage>(await desk.operator(path), 200);
          pages.push(page);
          token = page.nextPageToken;
        } while (token !== undefined && pages.length < 10);
        return pages;
      };
      const everyOrder = (pages: OrderPage[]) => pages.flatMap((p) => p.orders.map((o) => o.orderId));

      const pages = await eventually(
        'every order in visibility',
        () => pageThrough(`customerId=${customerId}`),
        (ps) => everyOrder(ps).length >= ids.length,
        15_000,
      );
      expect(pages.length).toBeGreaterThanOrEqual(3);
      for (const page of pages) expect(page.orders.length).toBeLessThanOrEqual(3);
      expect(everyOrder(pages).sort()).toEqual([...ids].sort());
      expect(pages.at(-1)?.nextPageToken).toBeUndefined();

      for (const orderId of ids) await validated(orderId);
      const byStatus = await eventually(
        'the validated orders in visibility',
        () => pageThrough(`status=Validated&customerId=${customerId}`),
        (ps) => everyOrder(ps).length >= ids.length,
        15_000,
      );
      expect(everyOrder(byStatus).sort()).toEqual([...ids].sort());
      const pending = await answered<OrderPage>(
        await desk.operator(`/api/orders?status=Pending&customerId=${customerId}`),
        200,
      );
      expect(pending.orders).toEqual([]);

      const badStatus = await problemAnswer(await desk.operator('/api/orders?status=Shipped'), 422);
      expect(badStatus.problems).toEqual([
        'status must be one of Pending, ValidationStalled, Validated, Confirmed, Rejected, Cancelled, Expired',
      ]);
      for (const pageSize of ['0', '101', 'abc', '2.5']) {
        const bad = await problemAnswer(await desk.operator(`/api/orders?pageSize=${pageSize}`), 422);
        expect(bad.problems).toEqual(['pageSize must be a whole number from 1 to 100']);
      }
    });
  });

  describe('commands', () => {
    test('when a menu is confirmed with an Idempotency-Key, then 200 applied; the same key again is a duplicate, not a second confirmation', async () => {
      // The validator hangs, so the order stays open (Pending) while both requests reach it: a Confirmed order closes.
      const order = orderInput();
      const key = uniqueId('retry');
      const confirm = () => command(order.orderId, 'confirm', { menuId: 'm-1' }, { 'idempotency-key': key });
      faults.hang = true;
      try {
        await answered(await submit(order), 201);
        const first = await answered<CommandAnswer>(await confirm(), 200);
        expect(first).toEqual({ outcome: 'applied', status: 'Pending' });
        const again = await answered<CommandAnswer>(await confirm(), 200);
        expect(again).toEqual({
          outcome: 'duplicate',
          status: 'Pending',
          reason: 'confirmation for menu m-1 already pending',
        });
        const pending = await orderState(order.orderId);
        // The key is the command's id: the one confirmation kept carries it.
        expect(pending.pendingConfirmation).toMatchObject({ menuId: 'm-1', eventId: key });
        expect(pending.refusalsTotal).toBe(0);
      } finally {
        faults.hang = false;
      }
      await answered(await command(order.orderId, 'resume'), 200);
      const confirmed = await eventually(
        'Confirmed and published',
        () => orderState(order.orderId),
        (s) => s.status === 'Confirmed' && s.confirmation?.published === true,
        30_000,
      );
      expect(confirmed.confirmation).toMatchObject({ menuId: 'm-1', eventId: key });
      expect(published.filter((id) => id === order.orderId)).toHaveLength(1);
      const closed = await problemAnswer(await confirm(), 409);
      expect(closed.detail).toBe(
        `order ${order.orderId} is Confirmed and closed; it no longer takes commands`,
      );
    });

    test('when the order refuses a command, then 409 with its reason; a malformed command is 422; an unknown order 404', async () => {
      const order = orderInput();
      await answered(await submit(order), 201);
      await validated(order.orderId);

      const refused = await problemAnswer(await command(order.orderId, 'confirm', { menuId: 'm-9' }), 409);
      expect(refused.detail).toBe('menu m-9 is not on offer for this order (m-1, m-2)');
      expect(refused.answer).toMatchObject({ outcome: 'refused', status: 'Validated' });

      const noMenu = await problemAnswer(await command(order.orderId, 'confirm', {}), 422);
      expect(noMenu.problems).toEqual(['menuId is missing']);
      const emptyMenu = await problemAnswer(await command(order.orderId, 'confirm', { menuId: '' }), 422);
      expect(emptyMenu.problems?.[0]).toMatch(/^menuId /);
      const longReason = await problemAnswer(
        await command(order.orderId, 'cancel', { reason: 'r'.repeat(1001) }),
        422,
      );
      expect(longReason.problems?.[0]).toMatch(/^reason /);
      const badKey = await problemAnswer(
        await command(order.orderId, 'confirm', { menuId: 'm-1' }, { 'idempotency-key': 'k'.repeat(201) }),
        422,
      );
      expect(badKey.detail).toMatch(/idempotency-key/);
      expect((await orderState(order.orderId)).status).toBe('Validated');

      const unknown = uniqueId('none');
      for (const [name, body] of [
        ['confirm', { menuId: 'm-1' }],
        ['cancel', {}],
        ['resume', undefined],
      ] as const) {
        const missing = await problemAnswer(await command(unknown, name, body), 404);
        expect(missing.detail).toBe(`no order ${unknown}`);
      }
    });

    test('when an order is cancelled, then 200 applied; cancelling it again is 409 saying why', async () => {
      const order = orderInput();
      await answered(await submit(order), 201);
      await validated(order.orderId);
      const cancelled = await answered<CommandAnswer>(
        await command(order.orderId, 'cancel', { reason: 'the customer called' }),
        200,
      );
      expect(cancelled).toEqual({ outcome: 'applied', status: 'Cancelled' });
      const again = await problemAnswer(await command(order.orderId, 'cancel'), 409);
      expect(again.detail).toMatch(/cancelled/i);
      const state = await orderState(order.orderId);
      expect(state).toMatchObject({ status: 'Cancelled', cancellation: { reason: 'the customer called' } });
    });

    test('when validation has stalled, then resume is 200 applied and the order validates; resuming a validated order is a duplicate', async () => {
      const order = orderInput({ menus: [] });
      faults.refuse = true;
      try {
        await answered(await submit(order), 201);
        await eventually(
          'ValidationStalled',
          () => orderState(order.orderId),
          (s) => s.status === 'ValidationStalled',
          30_000,
        );
      } finally {
        faults.refuse = false;
      }
      const resumed = await answered<CommandAnswer>(await command(order.orderId, 'resume'), 200);
      expect(resumed).toMatchObject({ outcome: 'applied' });
      await validated(order.orderId);
      const again = await answered<CommandAnswer>(await command(order.orderId, 'resume'), 200);
      expect(again).toEqual({
        outcome: 'duplicate',
        status: 'Validated',
        reason: 'validation is not stalled (status Validated)',
      });
    });
  });

  describe('matches, links and participants', () => {
    const signals = async (orderId: string) => {
      const history = await env.client.workflow.getHandle(cateringMatchWorkflowId(orderId)).fetchHistory();
      return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    };
    const matchState = async (orderId: string) =>
      answered<CateringMatchState>(await desk.operator(`/api/matches/${orderId}`), 200);
    const respond = (url: string, body?: unknown) =>
      fetch(url.replace('/respond/', '/api/respond/'), body === undefined ? {} : postJson(body));

    let order: OrderSubmitted;
    let links: ParticipantLinks;
    const catererLink = (catererId: string) => {
      const found = links.caterers.find((c) => c.catererId === catererId);
      if (!found) throw new Error(`no link for ${catererId}`);
      return found.url;
    };

    beforeAll(async () => {
      order = orderInput();
      await answered(await submit(order), 201);
      await validated(order.orderId);
      await eventually(
        'the match with the order’s menus',
        () => matchState(order.orderId),
        (m) => m.menusOffered && m.status === 'AwaitingConfirmations',
        30_000,
      );
    });

    test('when a match is read, then 200 with its state; an order with no match is 404', async () => {
      const match = await matchState(order.orderId);
      expect(match.menus.map((m) => [m.menuId, m.catererId])).toEqual([
        ['m-1', 'cat-1'],
        ['m-2', 'cat-2'],
      ]);
      const none = await problemAnswer(await desk.operator(`/api/matches/${uniqueId('none')}`), 404);
      expect(none.detail).toMatch(/^no catering match for order /);
    });

    test('when links are asked for, then one per participant, each valid until the order’s deadline', async () => {
      links = await answered<ParticipantLinks>(
        await desk.operator(`/api/orders/${order.orderId}/links`, { method: 'POST' }),
        200,
      );
      const match = await matchState(order.orderId);
      expect(links.orderId).toBe(order.orderId);
      expect(links.expiresAt).toBe(match.deadline);
      expect(links.customer.url).toMatch(new RegExp(`^${desk.url}/respond/[\\w-]+\\.[\\w-]+$`));
      expect(links.caterers.map((c) => c.catererId)).toEqual(['cat-1', 'cat-2']);
      expect(new Set([links.customer.url, ...links.caterers.map((c) => c.url)]).size).toBe(3);
      await problemAnswer(
        await desk.operator(`/api/orders/${uniqueId('none')}/links`, { method: 'POST' }),
        404,
      );
    });

    test('when links are asked for before the order has handed its menus to its match, then 503 with Retry-After, then 200', async () => {
      const early = orderInput();
      let letGo = () => {};
      heldOffers.set(early.orderId, new Promise<void>((resolve) => (letGo = resolve)));
      const asked = () => desk.operator(`/api/orders/${early.orderId}/links`, { method: 'POST' });
      try {
        await answered(await submit(early), 201);
        const notYet = await asked();
        expect(notYet.headers.get('retry-after')).toBe('1');
        const problem = await problemAnswer(notYet, 503);
        expect(problem).toMatchObject({ title: 'Not ready yet', retryAfter: 1 });
        expect(problem.detail).toBe(
          `order ${early.orderId} is handing its menus to its catering match; ask again in a moment`,
        );
      } finally {
        // A held activity would keep the worker from shutting down.
        letGo();
      }
      const made = await eventually(
        'the links once the match has started',
        asked,
        (r) => r.status === 200,
        30_000,
      );
      expect((await answered<ParticipantLinks>(made, 200)).orderId).toBe(early.orderId);
    });

    test('when a link is read, then the participant sees only their menus and their answers, no card data', async () => {
      const customer = await answered<ParticipantView>(await respond(links.customer.url), 200);
      expect(customer).toMatchObject({ orderId: order.orderId, role: 'customer', open: true });
      expect(customer.menus.map((m) => [m.menuId, m.answer])).toEqual([
        ['m-1', 'none'],
        ['m-2', 'none'],
      ]);
      const caterer = await answered<ParticipantView>(await respond(catererLink('cat-2')), 200);
      expect(caterer).toMatchObject({ role: 'caterer', catererId: 'cat-2' });
      expect(caterer.menus.map((m) => m.menuId)).toEqual(['m-2']);
      for (const view of [customer, caterer]) {
        const text = JSON.stringify(view);
        expect(text).not.toContain(cardDigits);
        expect(text).not.toContain(order.card.holder);
      }
    });

    test("when a caterer's link answers for another caterer's menu, then 403 and no signal reaches the match", async () => {
      const before = await signals(order.orderId);
      const refused = await problemAnswer(
        await respond(catererLink('cat-1'), { menuId: 'm-2', answer: 'confirm' }),
        403,
      );
      expect(refused.detail).toBe(
        "menu m-2 is not catered by cat-1; this link answers only for that caterer's menus",
      );
      await problemAnswer(await respond(catererLink('cat-1'), { menuId: 'm-2', answer: 'decline' }), 403);
      expect(await signals(order.orderId)).toBe(before);
      const menu = (await matchState(order.orderId)).menus.find((m) => m.menuId === 'm-2');
      expect(menu?.caterer).toBe('none');
    });

    test('when the customer declines, then 422 and nothing reaches the match; a malformed answer is 422 too', async () => {
      const before = await signals(order.orderId);
      const declined = await problemAnswer(
        await respond(links.customer.url, { menuId: 'm-1', answer: 'decline' }),
        422,
      );
      expect(declined.detail).toMatch(/a customer does not decline/);
      const malformed = await problemAnswer(
        await respond(links.customer.url, { menuId: 'm-1', answer: 'maybe' }),
        422,
      );
      expect(malformed.problems).toEqual(['answer must be confirm or decline']);
      expect(await signals(order.orderId)).toBe(before);
    });

    test('when a link is tampered with or has expired, then 403', async () => {
      const token = links.customer.url.split('/respond/')[1] ?? '';
      const [body = '', signature = ''] = token.split('.');
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = `${Buffer.from(JSON.stringify({ ...claims, role: 'caterer', catererId: 'cat-2' })).toString('base64url')}.${signature}`;
      const before = await signals(order.orderId);
      for (const tampered of [forged, `${body}.${signature.slice(1)}A`, `${body}x.${signature}`]) {
        const problem = await problemAnswer(await fetch(`${desk.url}/api/respond/${tampered}`), 403);
        expect(problem.detail).toMatch(/altered or was not made by this desk/);
        await problemAnswer(
          await fetch(`${desk.url}/api/respond/${tampered}`, postJson({ menuId: 'm-2', answer: 'confirm' })),
          403,
        );
      }
      const expiresAt = new Date(Date.now() - 1000).toISOString();
      const expired = signLink(desk.linkKey, { orderId: order.orderId, role: 'customer', expiresAt });
      const problem = await problemAnswer(
        await fetch(`${desk.url}/api/respond/${expired}`, postJson({ menuId: 'm-1', answer: 'confirm' })),
        403,
      );
      expect(problem.detail).toBe(`this link expired at ${expiresAt}, the order's deadline`);
      expect(await signals(order.orderId)).toBe(before);
    });

    test('when the customer and the caterer confirm through their links, then the order is Confirmed, published once; pressing twice is a duplicate', async () => {
      const customer = await answered<ParticipantView>(
        await respond(links.customer.url, { menuId: 'm-1', answer: 'confirm' }),
        200,
      );
      expect(customer.menus.find((m) => m.menuId === 'm-1')?.answer).toBe('confirmed');
      const once = await matchState(order.orderId);

      await answered(await respond(links.customer.url, { menuId: 'm-1', answer: 'confirm' }), 200);
      const twice = await matchState(order.orderId);
      expect(twice.processedEventCount).toBe(once.processedEventCount);
      expect(twice.ignoredByReason['duplicate event']).toBe(
        (once.ignoredByReason['duplicate event'] ?? 0) + 1,
      );

      const caterer = await answered<ParticipantView>(
        await respond(catererLink('cat-1'), { menuId: 'm-1', answer: 'confirm' }),
        200,
      );
      expect(caterer.menus).toEqual([expect.objectContaining({ menuId: 'm-1', answer: 'confirmed' })]);
      const confirmed = await eventually(
        'the order Confirmed and published',
        () => orderState(order.orderId),
        (s) => s.status === 'Confirmed' && s.confirmation?.published === true,
        30_000,
      );
      expect(confirmed.confirmation?.menuId).toBe('m-1');
      expect((await matchState(order.orderId)).chosenMenuId).toBe('m-1');
      expect(published.filter((id) => id === order.orderId)).toHaveLength(1);

      const late = await problemAnswer(
        await respond(catererLink('cat-2'), { menuId: 'm-2', answer: 'decline' }),
        409,
      );
      expect(late.detail).toMatch(/takes no more answers/);
    });
  });

  describe('health', () => {
    test('when Temporal answers, then /healthz is 200', async () => {
      const response = await fetch(`${desk.url}/healthz`);
      expect(await answered(response, 200)).toEqual({ status: 'ok' });
    });

    test('when Temporal does not answer, then /healthz is 503 saying so', async () => {
      // A port that was free a moment ago and that nothing listens on: the connection is refused, as for a server that is down.
      const closedPort = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as AddressInfo;
          server.close(() => resolve(port));
        });
      });
      const connection = Connection.lazy({ address: `127.0.0.1:${closedPort}` });
      const down = await buildDesk({
        client: new Client({ connection }),
        operatorToken: desk.operatorToken,
        link: { key: desk.linkKey, publicUrl: '' },
      });
      try {
        const url = await down.listen({ host: '127.0.0.1', port: 0 });
        const started = Date.now();
        const problem = await problemAnswer(await fetch(`${url}/healthz`), 503);
        expect(problem.title).toBe('Temporal is not answering');
        expect(problem.detail).toMatch(/^Temporal did not answer within 3 s/);
        expect(Date.now() - started).toBeLessThan(10_000);
      } finally {
        await down.close();
        await connection.close();
      }
    });
  });
});
