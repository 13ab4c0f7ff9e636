import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath } from './toolchain';

/**
 * Debian's Chromium, headless. The machine may have no network: every flag below stops Chromium from reaching
 * out on its own (updates, sync, QUIC probes), which would otherwise stall page loads or pollute the run.
 * `launch` gives every browser a fresh, empty profile of its own and removes it on close.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A loopback port nobody listens on right now, for servers that must be told their port before they start
 * (the dev server's Web UI, whose origin the codec server has to allow in advance).
 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/**
 * Everything a page holds: the HTML and the rendered text of the page and of every frame in it (the Web UI
 * renders summaries and details in iframes of their own), for assertions about what must never appear.
 */
export async function everythingOnPage(page: Page): Promise<string> {
  const parts = await Promise.all(
    page.frames().map(async (frame) => {
      const [html, text] = await Promise.all([
        frame.content(),
        frame.locator('body').innerText({ timeout: 5_000 }),
      ]);
      return `${html}\n${text}`;
    }),
  );
  return parts.join('\n');
}

/** Every way a full card number could be written on a page: as typed, bare digits, in groups of four. */
export const writtenForms = (cardNumber: string): string[] => {
  const digits = cardNumber.replace(/\D/g, '');
  return [...new Set([cardNumber, digits, digits.replace(/(\d{4})(?=\d)/g, '$1 ')])];
};

/**
 * Where any of the full card numbers appears on the page, with the markup around it (empty when none does): a failure
 * says what leaked and where, not the whole page.
 */
export async function cardNumberLeaks(page: Page, fullCardNumbers: readonly string[]): Promise<string[]> {
  const everything = await everythingOnPage(page);
  return fullCardNumbers.flatMap((number) => {
    const at = everything.indexOf(number);
    return at < 0 ? [] : [everything.slice(Math.max(0, at - 120), at + number.length + 40)];
  });
}
