// The public status page in a real browser on a phone-sized screen: Debian's Chromium driven by
// playwright-core, against the product as `npm start` runs it, the incident published with the CLI.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, launchChromium } from './support/browser.js';
import { repoRoot, tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { runCli, spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';

const artifacts = join(repoRoot, 'test-artifacts', 'status');
const skip = browserSkip;

const INTERNAL_TITLE = 'Agent e-mails customer data after reading a poisoned page';
const PUBLIC_TITLE = 'Some assistant features are turned off';
const PUBLIC_UPDATES = [
  'We turned off e-mail sending from the assistant while we investigate',
  'The cause is found; e-mail stays off until the fix is out',
] as const;
const INTERNAL_UPDATE = 'Injected page came from a partner wiki; legal is looped in';
const ATOM = 'http://www.w3.org/2005/Atom';

let product: RunningProduct;
let browser: Browser;
let phone: Page;
const problems: string[] = [];

before(async () => {
  if (skip) return;
  await mkdir(artifacts, { recursive: true });
  product = spawnProduct({
    DATA_DIR: await tempDir('status-product'),
    PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
  });
  await waitHealthy(product, 60_000);
  browser = await launchChromium();
  phone = await browser.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  // A style or resource the Content-Security-Policy blocks is reported here: any is a bug.
  phone.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  phone.on('pageerror', (err) => problems.push(err.message));
});

/** The feed as the browser's XML parser reads it: any parse error, the root's namespace, each entry's text. */
async function parseFeed(xml: string): Promise<{ error: string | null; root: string | null; entries: string[] }> {
  return phone.evaluate(`(() => {
    const doc = new DOMParser().parseFromString(${JSON.stringify(xml)}, 'application/xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.namespaceURI,
      entries: [...doc.getElementsByTagName('entry')].map((entry) => entry.textContent),
    };
  })()`);
}

after(async () => {
  await browser?.close();
  await stopProduct(product);
});

describe('the public status page', { skip }, () => {
  let id: string;

  it('shows an incident published with `incident publish` on a phone, and nothing internal', async () => {
    const cliEnv = { INCIDENT_API_URL: product.url };
    const declared = await runCli(
      ['declare', INTERNAL_TITLE, '--category', 'prompt-injection', '--severity', 'P1', '--as', 'alice', '--json'],
      cliEnv,
    );
    assert.equal(declared.code, 0, declared.stderr);
    const incident = JSON.parse(declared.stdout) as { id: string; runbook: { id: string } };
    id = incident.id;
    const refused = await runCli(['publish', id, '--title', PUBLIC_TITLE, '--as', 'mallory'], cliEnv);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /only the incident commander may \(HTTP 403\)/);
    const published = await runCli(['publish', id, '--title', PUBLIC_TITLE, '--as', 'alice'], cliEnv);
    assert.equal(published.code, 0, published.stderr);
    assert.match(published.stdout, new RegExp(`${id} is on the status page as "${PUBLIC_TITLE}"`));

    // Visibility takes a moment and the page is cached for 10 s: reload until it is there.
    const article = phone.locator(`article#${id}`);
    for (let i = 0; i < 30 && (await article.count()) === 0; i++) {
      await phone.goto(`${product.url}/status`);
      if ((await article.count()) === 0) await new Promise((r) => setTimeout(r, 1_000));
    }
    await article.waitFor({ timeout: 1_000 });
    assert.equal(await article.locator('h2').innerText(), PUBLIC_TITLE);
    assert.match(await article.innerText(), /Investigating/);
    const body = await phone.locator('body').innerText();
    for (const secret of [INTERNAL_TITLE, 'alice', 'mallory', incident.runbook.id])
      assert.ok(!body.includes(secret), `the page shows "${secret}"`);

    // Usable on the phone: its own width, the style sheet applied (the CSP let it), no horizontal scrolling.
    // Evaluated in the page (a string: these tests compile without the DOM's types).
    const layout = await phone.evaluate<Record<string, number | string>>(`(() => {
      const card = document.querySelector('article');
      return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        cardWidth: card.getBoundingClientRect().width,
        radius: getComputedStyle(card).borderTopLeftRadius,
        fontSize: getComputedStyle(document.body).fontSize,
        scripts: document.scripts.length,
      };
    })()`);
    assert.equal(layout.innerWidth, 390, 'the viewport meta makes the page phone-wide');
    assert.ok(
      Number(layout.scrollWidth) <= Number(layout.innerWidth),
      `no sideways scrolling: ${JSON.stringify(layout)}`,
    );
    assert.ok(Number(layout.cardWidth) > 300, `the card fills the screen: ${JSON.stringify(layout)}`);
    assert.equal(layout.radius, '8px', 'the inline style sheet is applied');
    assert.equal(layout.fontSize, '16px');
    assert.equal(layout.scripts, 0);
    await phone.screenshot({ path: join(artifacts, 'status-phone.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });

  it("the console's incident page changes the public title", async () => {
    const desk = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await desk.goto(`${product.url}/#/incidents/${id}`);
      await desk.locator('#publish button.publish').waitFor();
      assert.match(await desk.locator('#publish').innerText(), /Public since/);
      assert.equal(await desk.inputValue('#publish input[name="publicTitle"]'), PUBLIC_TITLE);
      await desk.fill('#name', 'alice');
      await desk.press('#name', 'Tab');
      await desk.fill('#publish input[name="publicTitle"]', 'Assistant e-mail is paused');
      await desk.click('#publish button.publish');
      await desk.locator('#notice .ok').waitFor();
      const state = (await (await fetch(`${product.url}/api/incidents/${id}`)).json()) as {
        publicListing: { title: string };
        timeline: { type: string; message: string }[];
      };
      assert.equal(state.publicListing.title, 'Assistant e-mail is paused');
      assert.ok(state.timeline.some((e) => e.type === 'incident.published' && /from "Some assistant/.test(e.message)));
    } finally {
      await desk.close();
    }
  });

  it('updates the IC posts: the public ones on the page, one feed entry each and in the JSON; the internal one nowhere', async () => {
    const atom = async () => (await fetch(`${product.url}/status/feed.atom`)).text();
    assert.deepEqual(await parseFeed(await atom()), { error: null, root: ATOM, entries: [] }, 'no public update yet');

    const cliEnv = { INCIDENT_API_URL: product.url };
    const post = async (text: string, ...extra: string[]) => {
      const posted = await runCli(['update', id, text, ...extra, '--as', 'alice'], cliEnv);
      assert.equal(posted.code, 0, posted.stderr);
    };
    await post(PUBLIC_UPDATES[0], '--public', '--impact', 'Assistant e-mail is unavailable');
    await post(INTERNAL_UPDATE);
    await post(PUBLIC_UPDATES[1], '--public');
    const refused = await runCli(['update', id, 'All clear', '--public', '--as', 'mallory'], cliEnv);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTP 403/);

    // The board is cached for 10 s: reload until the second public update is there.
    const article = phone.locator(`article#${id}`);
    for (let i = 0; i < 30 && !(await article.innerText()).includes(PUBLIC_UPDATES[1]); i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      await phone.goto(`${product.url}/status`);
    }
    const page = await phone.locator('body').innerText();
    for (const text of PUBLIC_UPDATES) assert.ok(page.includes(text), `the page shows "${text}"`);
    assert.match(page, /Assistant e-mail is unavailable/, 'the impact the IC gave');

    const feed = await parseFeed(await atom());
    assert.equal(feed.error, null, 'the feed is well-formed XML');
    assert.equal(feed.root, ATOM);
    assert.equal(feed.entries.length, PUBLIC_UPDATES.length, 'one entry per public update');
    for (const text of PUBLIC_UPDATES)
      assert.ok(
        feed.entries.some((entry) => entry.includes(text)),
        `an entry holds "${text}": ${JSON.stringify(feed.entries)}`,
      );

    const json = await (await fetch(`${product.url}/status.json`)).text();
    const listed = (JSON.parse(json) as { incidents: { id: string; title: string; updates: { text: string }[] }[] })
      .incidents;
    assert.deepEqual(
      listed.map((i) => i.id),
      [id],
    );
    assert.deepEqual(listed[0]!.updates.map((u) => u.text).sort(), [...PUBLIC_UPDATES].sort());
    // Either public title: the answer may be the one cached (10 s) before the console changed it.
    assert.ok([PUBLIC_TITLE, 'Assistant e-mail is paused'].includes(listed[0]!.title));

    for (const [where, text] of Object.entries({ page, feed: feed.entries.join('\n'), json }))
      for (const secret of [INTERNAL_UPDATE, INTERNAL_TITLE, 'alice', 'mallory'])
        assert.ok(!text.includes(secret), `the ${where} shows "${secret}"`);
    assert.deepEqual(problems, []);
  });
});
