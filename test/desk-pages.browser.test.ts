import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { getMatchState } from '../src/clients/catering-match-client';
import { getOrderState } from '../src/clients/order-client';
import { createAppWorkers } from './support/app-workers';
import { cardNumberLeaks, launchChromium, writtenForms } from './support/browser';
import { startDesk } from './support/desk';
import type { RunningDesk } from './support/desk';
import { createDevServerEnv, uniqueId } from './support/environments';
import { eventually } from './support/eventually';

const root = resolve(__dirname, '..');
// A test run must not leave the working tree modified: the pictures go under .temporal/screenshots, and to the
// paths the docs show only when asked with UPDATE_SCREENSHOTS=1 (as the Web UI's browser test does).
const pictureFile = (docsPath: string): string =>
  process.env.UPDATE_SCREENSHOTS === '1'
    ? resolve(root, docsPath)
    : resolve(root, '.temporal', 'screenshots', docsPath);
// The pages answer in milliseconds; the slack is for a 2-core machine busy with other test files.
const uiTimeout = 30_000;

const card = { number: '4111 1111 1111 1111', expiry: '11/38', holder: 'Grace Hopper' };
const orderId = uniqueId('desk');
const customerId = uniqueId('c-grace');
const submitted = {
  orderId,
  customerId,
  amount: 640,
  currency: 'EUR',
  card,
  menus: [
    { menuId: 'A', catererId: 'caterer-anna' },
    { menuId: 'B', catererId: 'caterer-ben' },
  ],
};

/** Every way the full card number could be written on a page: as typed, bare digits, in groups of four. */
const fullCardNumbers = writtenForms(card.number);

async function expectNoFullCardNumber(page: Page): Promise<void> {
  expect(await cardNumberLeaks(page, fullCardNumbers)).toEqual([]);
}

/** The menus a participant's page lists, by their rows. */
const menusOn = async (page: Page): Promise<(string | null)[]> =>
  Promise.all((await page.locator('tbody tr').all()).map((row) => row.getAttribute('data-menu')));

/**
 * The desk's pages in headless Chromium, against the `temporal` CLI's dev server with the app's real workers: the
 * operator logs in and submits an order through the desk, the customer and the caterer answer through their links
 * in browsers of their own, and the order's page, opened before and never reloaded, turns Confirmed.
 */
describe('the desk pages, in a real browser, against the dev server with the real workers', () => {
  let env: TestWorkflowEnvironment | undefined;
  let workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  let desk: RunningDesk | undefined;
  let browser: Browser | undefined;
  let operator: BrowserContext;
  let orderPage: Page;
  const links: { customer?: string; anna?: string; ben?: string } = {};

  beforeAll(async () => {
    const dev = await createDevServerEnv();
    env = dev;
    const app = await createAppWorkers(dev);
    workers = [app.orders, app.validator];
    running = Promise.all(workers.map((worker) => worker.run()));
    desk = await startDesk(dev);
    browser = await launchChromium();
    operator = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.close();
    workers.forEach((worker) => worker.shutdown());
    await running;
    await env?.teardown();
  });

  const deskUrl = (): string => {
    if (!desk) throw new Error('no desk: beforeAll failed');
    return desk.url;
  };

  /** A browser of the participant's own: no operator cookie, only the link. */
  async function participantPage(): Promise<Page> {
    if (!browser) throw new Error('no browser: beforeAll failed');
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
    return context.newPage();
  }

  test('when the operator opens the desk without a session, then the login page asks for the token, and the token lets them in', async () => {
    orderPage = await operator.newPage();
    await orderPage.goto(`${deskUrl()}/`);
    await orderPage.waitForURL(/\/login\?next=%2F$/, { timeout: uiTimeout });
    await orderPage.getByLabel('Operator token').fill('not-the-token');
    await orderPage.getByRole('button', { name: 'Log in' }).click();
    await orderPage.getByRole('alert').filter({ hasText: 'not the operator token' }).waitFor();

    await orderPage.getByLabel('Operator token').fill(desk!.operatorToken);
    await orderPage.getByRole('button', { name: 'Log in' }).click();
    await orderPage.waitForURL(`${deskUrl()}/`, { timeout: uiTimeout });
    await orderPage.getByRole('heading', { name: 'Orders', exact: true }).waitFor();
    const session = (await operator.cookies()).find((c) => c.name === 'desk_operator');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  test("when an order is submitted through the desk and its customer and caterer confirm through their links, then its page, never reloaded, turns Confirmed; another caterer's link neither offers nor answers for the first caterer's menu", async () => {
    const page = orderPage;
    await page.getByLabel(/The order as JSON/).fill(JSON.stringify(submitted, null, 2));
    await page.getByRole('button', { name: 'Submit order' }).click();
    await page.waitForURL(`${deskUrl()}/orders/${orderId}`, { timeout: uiTimeout });
    await page
      .getByRole('status')
      .filter({ hasText: `Order ${orderId} stored.` })
      .waitFor();
    await expectNoFullCardNumber(page);

    // The order hands its menus to its match once it runs; the story shows the match when it has them.
    await page
      .getByText('Catering match: AwaitingConfirmations', { exact: false })
      .waitFor({ timeout: uiTimeout });
    await page.getByRole('button', { name: 'Make participant links' }).click();
    await page.waitForURL(/\?links=1#links$/, { timeout: uiTimeout });
    links.customer = await page.getByLabel('Customer', { exact: true }).inputValue();
    links.anna = await page.getByLabel('Caterer caterer-anna').inputValue();
    links.ben = await page.getByLabel('Caterer caterer-ben').inputValue();
    for (const link of [links.customer, links.anna, links.ben])
      expect(link).toMatch(new RegExp(`^${deskUrl()}/respond/[\\w-]+\\.[\\w-]+$`));
    await expectNoFullCardNumber(page);
    // Ben caters menu B only: his page offers B, and nothing of Anna's menu.
    const ben = await participantPage();
    await ben.goto(links.ben);
    await ben.getByRole('heading', { name: `Order ${orderId}: menus for caterer-ben` }).waitFor();
    expect(await menusOn(ben)).toEqual(['B']);
    await ben.getByRole('button', { name: 'Confirm menu B' }).waitFor();
    expect(await ben.getByRole('button', { name: 'Confirm menu A' }).count()).toBe(0);
    await expectNoFullCardNumber(ben);

    // A form forged for menu A, sent with Ben's link while the match still takes answers: refused with a message on
    // Ben's page, and the match hears nothing of it (a query after a signal is answered once the match has it).
    const before = await getMatchState(env!.client, orderId);
    const forged = await ben.request.post(links.ben, {
      form: { menuId: 'A', answer: 'confirm' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(303);
    await ben.reload();
    await ben.getByRole('alert').filter({ hasText: 'menu A is not catered by caterer-ben' }).waitFor();
    const after = await getMatchState(env!.client, orderId);
    const counts = (match: typeof before) => ({
      processed: match.processedEventCount,
      ignored: match.ignoredEventCount,
      rejected: match.rejectedEventCount,
    });
    expect(counts(after)).toEqual(counts(before));

    // From here on the order page is only watched: whatever it shows next, it shows without a reload.
    await page.evaluate('window.deskNeverReloaded = "still the same page"');

    const customer = await participantPage();
    await customer.goto(links.customer);
    await customer.getByRole('heading', { name: `Order ${orderId}: your menus` }).waitFor();
    expect(await menusOn(customer)).toEqual(['A', 'B']);
    await customer.getByRole('button', { name: 'Confirm menu A' }).click();
    await customer
      .getByRole('status')
      .filter({ hasText: 'Your confirmation of menu A was sent.' })
      .waitFor({ timeout: uiTimeout });
    expect(await customer.locator('tr[data-menu="A"] [data-answer="own"]').innerText()).toMatch(
      /^confirmed at /,
    );
    await expectNoFullCardNumber(customer);

    // The order page shows the customer's answer on its own, with its actions and links as they were.
    await page.waitForFunction(
      `document.querySelector('tr[data-menu="A"] [data-answer="customer"]')?.textContent.startsWith('confirmed at ')`,
      undefined,
      { timeout: uiTimeout },
    );
    await page.screenshot({ path: pictureFile('docs/desk-order.png'), fullPage: true });

    const anna = await participantPage();
    await anna.goto(links.anna);
    await anna.getByRole('heading', { name: `Order ${orderId}: menus for caterer-anna` }).waitFor();
    await anna.getByRole('button', { name: 'Decline menu A' }).waitFor();
    await expectNoFullCardNumber(anna);
    await anna.screenshot({ path: pictureFile('docs/desk-respond.png'), fullPage: true });
    await anna.getByRole('button', { name: 'Confirm menu A' }).click();
    await anna
      .getByRole('status')
      .filter({ hasText: 'Your confirmation of menu A was sent.' })
      .waitFor({ timeout: uiTimeout });
    await expectNoFullCardNumber(anna);

    // The order is Confirmed as soon as its own state says so; the page follows within two seconds (a second's
    // poll and one fetch; the slack covers a busy machine).
    await eventually(
      `order ${orderId} to be Confirmed`,
      () => getOrderState(env!.client, orderId),
      (state) => state.status === 'Confirmed',
    );
    await page.waitForFunction(
      `document.querySelector('[data-testid="order-status"]')?.textContent === 'Confirmed'`,
      undefined,
      { timeout: 3_000 },
    );
    expect(await page.evaluate('window.deskNeverReloaded')).toBe('still the same page');
    expect(await page.getByTestId('order-outcome').innerText()).toMatch(/^Confirmed with menu A at /);
    expect(await page.locator('tr[data-menu="A"] [data-answer="customer"]').innerText()).toMatch(
      /^confirmed at /,
    );
    expect(await page.locator('tr[data-menu="A"] [data-answer="caterer"]').innerText()).toMatch(
      /^confirmed at /,
    );
    expect(await page.locator('tr[data-menu="B"] [data-answer="caterer"]').innerText()).toBe('no answer yet');
    await expectNoFullCardNumber(page);

    // The caterer's page after the match: the answer given, nothing more to do.
    await anna.reload();
    await anna.getByText('Agreed menu: A', { exact: false }).waitFor();
    expect(await anna.getByRole('button').count()).toBe(0);
    await expectNoFullCardNumber(anna);
  });

  test('when the operator reads the desk, then the confirmed order is listed and counted, and a search by its id opens it', async () => {
    const page = orderPage;
    // The list is read from visibility, which lags the workflows' own state by a moment.
    await eventually(
      'the desk to list the order as Confirmed',
      async () => {
        await page.goto(`${deskUrl()}/?customerId=${customerId}`);
        return page.getByRole('row').filter({ hasText: orderId }).innerText();
      },
      (row) => row.includes('Confirmed'),
      uiTimeout,
    );
    await page.goto(`${deskUrl()}/`);
    expect(Number(await page.locator('[data-count="Confirmed"]').innerText())).toBeGreaterThanOrEqual(1);
    await page.getByText('No stalled validations.').waitFor();
    await expectNoFullCardNumber(page);
    await page.screenshot({ path: pictureFile('docs/desk-desk.png'), fullPage: true });

    await page.getByLabel('Order id or customer id').fill(orderId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(`${deskUrl()}/orders/${orderId}`, { timeout: uiTimeout });

    const unknown = await page.goto(`${deskUrl()}/orders/${uniqueId('no-such-order')}`);
    expect(unknown?.status()).toBe(404);
    await page.getByRole('heading', { name: '404 · Not found' }).waitFor();
  });

  test('when a link is altered, then its page is a 403 that says so, for a look and for an answer alike', async () => {
    const participant = await participantPage();
    const anna = links.anna ?? '';
    const [body, signature] = anna.slice(anna.lastIndexOf('/') + 1).split('.');
    expect(signature).toBeDefined();
    const flipped = `${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`;
    const tampered = `${deskUrl()}/respond/${body}.${flipped}`;

    const response = await participant.goto(tampered);
    expect(response?.status()).toBe(403);
    await participant.getByRole('heading', { name: '403 · Forbidden' }).waitFor();
    await participant.getByText('this link was altered').waitFor();

    const answer = await participant.request.post(tampered, {
      form: { menuId: 'A', answer: 'confirm' },
      maxRedirects: 0,
    });
    expect(answer.status()).toBe(403);
  });
});
