// Debian's Chromium driven by playwright-core, for the browser tests: where it is, whether the tests may
// skip without it (never in CI), and how to launch it headless and offline.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missing = `no Chromium at ${CHROMIUM} (.ci/run installs Debian's chromium; or set CHROMIUM_PATH)`;
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error(`${missing}: CI must run the browser tests`);
/** `describe(…, { skip: browserSkip })`: false, or why the browser tests cannot run here. */
export const browserSkip: false | string = existsSync(CHROMIUM) ? false : missing;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A console page at desktop size that collects script errors and failed loads into `errors`, except the
 * 403s the page reports itself when someone is refused.
 */
export async function consolePage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on(
    'console',
    (message) => message.type() === 'error' && !/status of 403/.test(message.text()) && errors.push(message.text()),
  );
  return page;
}
