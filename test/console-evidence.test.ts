// Evidence before containment in the web console, in a real browser against the product as `npm start`
// runs it with LaunchDarkly's REST API (the contract fake) while flag reads fail: the IC sees the approval
// request's evidence, sees the approved step held for its evidence, and lets it run with a reason; anyone
// else's override is refused on the page. Screenshots go to test-artifacts/console/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { IncidentState } from '../workflows/types.js';
import { browserSkip, consolePage, launchChromium } from './support/browser.js';
import { startLaunchDarklyFake, type FakeFlag, type LaunchDarklyFake } from './support/launchdarkly-fake.js';
import { repoRoot, tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';

const LD_TOKEN = 'api-console-evidence-0123456789';
const STEP = 'disable-ticket-source';
const FLAG = 'retrieval-source.customer-tickets.enabled';
const artifacts = join(repoRoot, 'test-artifacts', 'console');

let ld: LaunchDarklyFake;
let product: RunningProduct;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const boolFlag = (key: string): FakeFlag => ({
  key,
  variations: [
    { _id: `${key}-t`, value: true },
    { _id: `${key}-f`, value: false },
  ],
  environments: { production: { on: true, offVariation: 1, fallthrough: { variation: 0 }, _version: 4 } },
});

before(async () => {
  if (browserSkip) return;
  await mkdir(artifacts, { recursive: true });
  ld = await startLaunchDarklyFake({
    project: 'assistant',
    token: LD_TOKEN,
    flags: [boolFlag(FLAG), boolFlag('prompt-logging-enabled'), boolFlag('output-safety-filter-level')],
  });
  ld.failFlagReads(500);
  product = spawnProduct({
    DATA_DIR: await tempDir('console-evidence'),
    PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
    LAUNCHDARKLY_API_TOKEN: LD_TOKEN,
    LAUNCHDARKLY_PROJECT_KEY: 'assistant',
    LAUNCHDARKLY_ENVIRONMENT_KEY: 'production',
    LAUNCHDARKLY_API_URL: ld.url,
  });
  await waitHealthy(product, 60_000);
  browser = await launchChromium();
  page = await consolePage(browser, pageErrors);
});

after(async () => {
  await browser?.close();
  await stopProduct(product);
  await ld?.stop();
});

async function actAs(name: string) {
  await page.fill('#name', name);
  await page.press('#name', 'Tab');
}

const state = async (id: string) => (await (await fetch(`${product.url}/api/incidents/${id}`)).json()) as IncidentState;

describe('evidence in the web console', { skip: browserSkip }, () => {
  it('shows each snapshot and why it failed, holds the approved step, and runs it on the IC’s override', async () => {
    const declared = await fetch(`${product.url}/api/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Customer tickets quoted in answers',
        category: 'data-leak',
        severity: 'P2',
        commander: 'alice',
        runbook: 'sensitive-data-exposure',
      }),
    });
    assert.equal(declared.status, 201, await declared.clone().text());
    const { id } = (await declared.json()) as { id: string };

    await page.goto(`${product.url}/#/incidents/${id}`);
    const requested = page.locator(`#pending [data-step="${STEP}"] .evidence li[data-moment="requested"]`);
    await requested.waitFor();
    assert.match(
      await requested.innerText(),
      new RegExp(`evidence not captured: flag ${FLAG.replace(/\./g, '\\.')} could not be read: .*500`),
    );
    assert.match(await requested.innerText(), /the step runs only once captured or the IC overrides/);
    assert.equal(await requested.getAttribute('class'), 'evidence-failed');
    assert.ok(!(await page.content()).includes(LD_TOKEN), 'no secret on the page');

    await actAs('alice');
    await page.locator(`#pending [data-step="${STEP}"] button.approve`).click();
    const result = page.locator(`#results li[data-step="${STEP}"]`);
    await result.locator('.evidence-held').waitFor();
    assert.match(await result.innerText(), /approved by alice/);
    assert.match(
      await result.locator('li[data-moment="before-change"]').innerText(),
      /Before the change .*evidence not captured/,
    );
    assert.equal((await state(id)).steps.find((s) => s.id === STEP)!.status, 'approved', 'held, not run');
    await page.screenshot({ path: join(artifacts, 'evidence-held.png'), fullPage: true });

    await result.locator('button.override-evidence').click();
    assert.match(await page.locator('#notice .error').innerText(), /Give a reason/);

    await actAs('mallory');
    await result.locator('input[name="reason"]').fill('let me');
    await result.locator('button.override-evidence').click();
    await page.locator('#notice .error').filter({ hasText: 'Refused' }).waitFor();
    assert.match(
      await page.locator('#notice').innerText(),
      /Refused: mallory may not override the evidence of step "disable-ticket-source": only the incident commander may/,
    );

    ld.failFlagReads(undefined); // LaunchDarkly is back: the change itself can go through
    await actAs('alice');
    await result.locator('input[name="reason"]').fill('leak ongoing; LaunchDarkly reads down');
    await result.locator('button.override-evidence').click();
    await page.locator(`#results li[data-step="${STEP}"].step-verified`).waitFor();
    const done = page.locator(`#results li[data-step="${STEP}"]`);
    assert.equal(await done.locator('.evidence-held').count(), 0, 'no longer held');
    assert.match(
      await done.locator('li[data-moment="before-change"]').innerText(),
      /overridden by alice: leak ongoing; LaunchDarkly reads down/,
    );
    await page.locator('#timeline li[data-type="evidence.overridden"]').waitFor();
    assert.equal(ld.flags.get(FLAG)!.environments.production!.on, false, 'the flag was turned off');
    await page.screenshot({ path: join(artifacts, 'evidence-overridden.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);
  });
});
