import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Browser, Locator, Page } from 'playwright-core';
import { publishMenuEvent } from '../src/clients/catering-match-client';
import { getOrderState, listOrders } from '../src/clients/order-client';
import { placeOrder } from '../src/clients/place-order';
import type { OrderStatus } from '../src/contract';
import { createAppWorkers } from './support/app-workers';
import { cardNumberLeaks, freePort, launchChromium, writtenForms } from './support/browser';
import { startCodecServer } from './support/codec-server';
import { createDevServerEnv, uniqueId } from './support/environments';
import { eventually } from './support/eventually';

const root = resolve(__dirname, '..');
// The pictures docs/encryption.md shows, by the paths it points at (beside it in docs/): the list, then the order.
const readmePictures = [
  ...readFileSync(resolve(root, 'docs', 'encryption.md'), 'utf8').matchAll(
    /!\[[^\]]*\]\((web-ui-[^)]+\.png)\)/g,
  ),
].map((m) => `docs/${m[1]!}`);
// A test run must not leave the working tree modified: the pictures go to the README's paths under
// .temporal/screenshots, and to those paths themselves only when asked with UPDATE_SCREENSHOTS=1.
const pictureFile = (readmePath: string): string =>
  process.env.UPDATE_SCREENSHOTS === '1'
    ? resolve(root, readmePath)
    : resolve(root, '.temporal', 'screenshots', readmePath);
// The UI answers in milliseconds; the slack is for a 2-core machine busy with other test files.
const uiTimeout = 30_000;

interface PlacedOrder {
  orderId: string;
  amount: number;
  card: { number: string; expiry: string; holder: string };
  expected: OrderStatus;
}

const order = (amount: number, number: string, expected: OrderStatus): PlacedOrder => ({
  orderId: uniqueId('web'),
  amount,
  card: { number, expiry: '11/38', holder: 'Grace Hopper' },
  expected,
});

const customerId = 'c-grace';
const confirmedA = order(240.5, '4111 1111 1111 1111', 'Confirmed');
const confirmedB = order(1280, '5555555555554444', 'Confirmed');
// On the validator's blocklist: the order ends Rejected.
const rejected = order(99.9, '4000000000000002', 'Rejected');
const orders = [confirmedA, confirmedB, rejected];

const fullCardNumbers = orders.flatMap(({ card }) => writtenForms(card.number));

async function expectNoFullCardNumber(page: Page): Promise<void> {
  expect(await cardNumberLeaks(page, fullCardNumbers)).toEqual([]);
}

test('docs/encryption.md shows the two pictures this test takes, at the paths it writes them to', () => {
  expect(readmePictures).toEqual(['docs/web-ui-orders.png', 'docs/web-ui-order.png']);
});

/**
 * The Web UI of a dev server whose codec endpoint is the project's codec server, driven in Chromium the way a
 * person uses it: the UI decodes payloads only through that server, so what the page shows is what a person
 * with access to the UI (but not to the key) can read.
 */
describe('the Web UI with the codec server, in a real browser', () => {
  let codecServer: Awaited<ReturnType<typeof startCodecServer>> | undefined;
  let env: TestWorkflowEnvironment | undefined;
  let workers: Worker[] = [];
  let running: Promise<unknown> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let ui: string;

  beforeAll(async () => {
    const uiPort = await freePort();
    ui = `http://localhost:${uiPort}`;
    // The UI's page calls the codec server from the browser, so its origin must pass CORS, by either name.
    const codec = await startCodecServer({ allowedOrigins: [ui, `http://127.0.0.1:${uiPort}`] });
    codecServer = codec;
    const dev = await createDevServerEnv({ ui: { port: uiPort, codecEndpoint: codec.endpoint } });
    env = dev;
    const app = await createAppWorkers(dev);
    workers = [app.orders, app.validator];
    running = Promise.all(workers.map((worker) => worker.run()));
    const chromium = await launchChromium();
    browser = chromium;

    for (const placed of orders) {
      await placeOrder(dev.client, {
        orderId: placed.orderId,
        customerId,
        amount: placed.amount,
        currency: 'EUR',
        card: placed.card,
        menus: [{ menuId: 'A', catererId: 'caterer-anna' }],
      });
      if (placed.expected !== 'Confirmed') continue;
      await publishMenuEvent(dev.client, 'CustomerConfirmedMenu', {
        orderId: placed.orderId,
        menuId: 'A',
        eventId: uniqueId('evt'),
      });
      await publishMenuEvent(dev.client, 'CatererConfirmedMenu', {
        orderId: placed.orderId,
        menuId: 'A',
        catererId: 'caterer-anna',
        eventId: uniqueId('evt'),
      });
    }
    for (const placed of orders) {
      await eventually(
        `order ${placed.orderId} to be ${placed.expected}`,
        () => getOrderState(dev.client, placed.orderId),
        (state) => state.status === placed.expected,
      );
    }
    // The list is read from visibility, which lags the workflows' own state.
    await eventually(
      'visibility to list the orders by status',
      async () => [
        (await listOrders(dev.client, { status: 'Confirmed' })).length,
        (await listOrders(dev.client, { status: 'Rejected' })).length,
      ],
      ([confirmed, declined]) => confirmed === 2 && declined === 1,
    );
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    workers.forEach((worker) => worker.shutdown());
    await running;
    await env?.teardown();
    await codecServer?.close();
  });

  beforeEach(async () => {
    if (!browser) throw new Error('no browser: beforeAll failed');
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterEach(async () => {
    await page.close();
  });

  const workflowLinks = (): Promise<string[]> =>
    page.getByRole('link', { name: /^(order|catering-match)-/ }).allInnerTexts();

  // The workflow's input, in a read-only editor labelled "Input" of its own (beside the "Result" one). While the page
  // loads it shows a placeholder, then the encoded payloads, then what the codec server decoded.
  const inputPanel = (): Locator => page.getByRole('textbox', { name: 'Input', exact: true });

  async function openOrder(placed: PlacedOrder): Promise<void> {
    await page.goto(`${ui}/namespaces/default/workflows`);
    await page.getByRole('link', { name: `order-${placed.orderId}`, exact: true }).click();
    await page.waitForURL(new RegExp(`/workflows/order-${placed.orderId}/`), { timeout: uiTimeout });
  }

  async function decodedInput(placed: PlacedOrder): Promise<unknown> {
    // Without the codec the panel shows the encrypted payload; the last text seen says so when this times out.
    const text = await eventually(
      'the input panel to show the decoded order',
      () => inputPanel().innerText(),
      (shown) => shown.includes(placed.orderId),
      uiTimeout,
    );
    return JSON.parse(text);
  }

  async function currentDetails(status: OrderStatus): Promise<string> {
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    // The UI renders details as markdown in an iframe of their own, beside the panel's heading.
    const details = page
      .getByRole('heading', { name: 'Current Details', exact: true })
      .locator('xpath=ancestor::div[.//iframe][1]')
      .frameLocator('iframe[title="output"]')
      .locator('body');
    return eventually(
      'the current details line',
      async () => (await details.innerText({ timeout: 1_000 })).trim(),
      (line) => line.startsWith(status),
      uiTimeout,
    );
  }

  test('when a person filters the workflow list by OrderStatus = "Confirmed", then exactly the confirmed orders are listed', async () => {
    await page.goto(`${ui}/namespaces/default/workflows`);
    // The `</>` button that opens the query box has no accessible name, only a tooltip; its test id is stable.
    await page.getByTestId('toggle-manual-query').click();
    const query = page.getByRole('searchbox', { name: 'Enter a query' });
    await query.fill('OrderStatus = "Confirmed"');
    await query.press('Enter');
    await page.waitForURL(/[?&]query=/, { timeout: uiTimeout });

    // The unfiltered list, shown until the query's answer arrives, also holds the catering matches.
    const listed = await eventually(
      'the filtered list',
      workflowLinks,
      (links) => links.length > 0 && !links.some((link) => link.startsWith('catering-match-')),
      uiTimeout,
    );
    expect(listed.sort()).toEqual([`order-${confirmedA.orderId}`, `order-${confirmedB.orderId}`].sort());
    expect(listed).not.toContain(`order-${rejected.orderId}`);
    // Checked before the screenshot, so a failing run never writes a leaked number into a screenshot.
    await expectNoFullCardNumber(page);
    await page.screenshot({ path: pictureFile('docs/web-ui-orders.png') });
  });

  test('when a person opens a confirmed order, then they read its current details and its input with the card masked, and no full card number anywhere', async () => {
    await openOrder(confirmedA);

    expect(await decodedInput(confirmedA)).toMatchObject({
      orderId: confirmedA.orderId,
      customerId,
      amount: 240.5,
      currency: 'EUR',
      card: { number: '•••• 1111', expiry: '11/38', holder: 'Grace Hopper' },
    });
    await expectNoFullCardNumber(page);
    await page.screenshot({ path: pictureFile('docs/web-ui-order.png') });

    // The validator's request in the event history carries the card too; a person expanding it sees it masked.
    // A workflow's page opens on its Timeline; the events are listed on a tab of their own (named with their count).
    await page.getByRole('tab', { name: /^Event History\b/ }).click();
    await page
      .getByRole('row')
      .filter({ hasText: 'Activity Task Scheduled' })
      .filter({ hasText: 'validateCreditCard' })
      .click();
    const request = await eventually(
      'the validation request to show its decoded input',
      () => page.getByRole('textbox').filter({ hasText: 'idempotencyKey' }).innerText(),
      (shown) => shown.includes(confirmedA.orderId),
      uiTimeout,
    );
    expect(JSON.parse(request)).toMatchObject({
      orderId: confirmedA.orderId,
      card: { number: '•••• 1111', holder: 'Grace Hopper' },
    });
    await expectNoFullCardNumber(page);

    expect(await currentDetails('Confirmed')).toBe(
      `Confirmed · 240.50 EUR · customer ${customerId} · menu A`,
    );
    await expectNoFullCardNumber(page);
  });

  test('when a person opens the rejected order, then they read why it was rejected and its blocklisted card masked', async () => {
    await openOrder(rejected);

    expect(await decodedInput(rejected)).toMatchObject({
      orderId: rejected.orderId,
      card: { number: '•••• 0002', expiry: '11/38', holder: 'Grace Hopper' },
    });
    await expectNoFullCardNumber(page);

    expect(await currentDetails('Rejected')).toMatch(
      new RegExp(`^Rejected · 99\\.90 EUR · customer ${customerId} · \\S`),
    );
    await expectNoFullCardNumber(page);
  });
});
