// The web console in a real browser: Debian's Chromium driven by playwright-core, against the product
// as `npm start` runs it. A new user follows an incident from declaration to closed without the CLI.
// Screenshots of each page are kept in test-artifacts/console/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkip, consolePage, launchChromium } from './support/browser.js';
import { repoRoot, tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';
import { API_AUDIENCE, API_RESOURCE, startOidcProvider, type OidcTestProvider } from './support/oidc-provider.js';
import type { IncidentState } from '../workflows/types.js';

const artifacts = join(repoRoot, 'test-artifacts', 'console');
const skip = browserSkip;

let product: RunningProduct;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  await mkdir(artifacts, { recursive: true });
  product = spawnProduct({
    DATA_DIR: await tempDir('console-product'),
    PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
  });
  await waitHealthy(product, 60_000);
  browser = await launchChromium();
  page = await consolePage(browser, pageErrors);
});

after(async () => {
  await browser?.close();
  await stopProduct(product);
});

async function declareByApi(): Promise<string> {
  const answer = await fetch(`${product.url}/api/incidents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'Toxic replies after the 14:00 deploy',
      category: 'harmful-output',
      severity: 'P2',
      commander: 'alice',
      runbook: 'harmful-output-spike',
    }),
  });
  assert.equal(answer.status, 201, await answer.clone().text());
  return ((await answer.json()) as { id: string }).id;
}

async function actAs(name: string) {
  await page.fill('#name', name);
  await page.press('#name', 'Tab'); // the change event stores it
}

const step = (id: string) => page.locator(`#pending [data-step="${id}"]`);

describe('the web console', { skip }, () => {
  let id: string;

  it('lists an incident declared through the API, with its pending approvals', async () => {
    id = await declareByApi();
    await page.goto(`${product.url}/`);
    const row = page.locator(`tr[data-incident="${id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /P2\s+Toxic replies after the 14:00 deploy\s+triaging\s+alice/);
    assert.equal(await row.locator('.pending-count').innerText(), '2');
    await page.selectOption('select[name="severity"]', 'P0');
    await row.waitFor({ state: 'detached' });
    await page.selectOption('select[name="severity"]', '');
    await row.waitFor();
    await page.screenshot({ path: join(artifacts, 'incidents.png'), fullPage: true });
  });

  it('refuses another user with the reason, then the IC approves and sees the step verified live', async () => {
    await page.click(`a[href="#/incidents/${id}"]`);
    await step('kill-assistant').waitFor();
    await page.evaluate(() => ((globalThis as unknown as { stayed: boolean }).stayed = true)); // gone if the page reloads

    await actAs('mallory');
    await step('kill-assistant').locator('button.approve').click();
    await page.locator('#notice .error').waitFor();
    assert.match(await page.locator('#notice').innerText(), /Refused: mallory may not approve step "kill-assistant"/);
    await page.locator('#timeline li[data-type="approval.refused"]').waitFor();
    assert.equal(await step('kill-assistant').count(), 1, 'still pending');

    await actAs('alice');
    await step('kill-assistant').locator('button.approve').click();
    await page.locator('#results li[data-step="kill-assistant"].step-verified').waitFor();
    await page.locator('#timeline li[data-type="containment.verified"]').waitFor();
    assert.match(await page.locator('#results li[data-step="kill-assistant"]').innerText(), /approved by alice/);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed), true, 'no reload');
    await page.screenshot({ path: join(artifacts, 'incident.png'), fullPage: true });
  });

  it('posts a status update from the form: shown in the list and on the timeline, the next one due', async () => {
    await page.fill('#update-form textarea[name="text"]', 'Assistant off while we revert the template');
    await page.fill('#update-form input[name="impact"]', 'Chat unavailable');
    await page.selectOption('#update-form select[name="next"]', '30');
    assert.equal(await page.locator('#update-form input[name="public"]').isDisabled(), true, 'not published yet');
    await page.click('#update-form button[type="submit"]');
    await page.locator('#updates li[data-update="U1"]').waitFor();
    assert.match(await page.locator('#updates li[data-update="U1"]').innerText(), /U1 · alice · internal/);
    assert.match(await page.locator('#updates').innerText(), /Impact: Chat unavailable/);
    await page.locator('#timeline li[data-type="update.posted"]').waitFor();
    await page.locator('#update-due').waitFor();
    assert.equal(await page.locator('#update-form textarea[name="text"]').inputValue(), '', 'the form is cleared');
  });

  it('takes the incident to closed: a rejection with its reason, resolution, an action, the undo decided, the postmortem', async () => {
    const reject = step('strict-output-filter');
    await reject.locator('button.reject').click();
    assert.match(await page.locator('#notice').innerText(), /Give a reason/);
    await reject.locator('input[name="reason"]').fill('The kill switch covers it');
    await reject.locator('button.reject').click();
    await page.locator('#results li[data-step="strict-output-filter"].step-rejected').waitFor();

    await page.fill('#actions input[name="title"]', 'Block deploys that raise the toxicity eval');
    await page.fill('#actions input[name="owner"]', 'dave');
    await page.click('#actions button[type="submit"]');
    await page.locator('#actions tr[data-action="A1"]').waitFor();

    await page.fill('#commands input[name="summary"]', 'Assistant off; bad prompt template reverted');
    await page.click('#commands button.resolve');
    await page.locator('#postmortem .markdown').waitFor();
    assert.match(await page.locator('#postmortem .markdown').innerText(), /Toxic replies after the 14:00 deploy/);

    await step('undo-kill-assistant').waitFor();
    await step('undo-kill-assistant').locator('input[name="reason"]').fill('Stays off until the filter ships');
    await step('undo-kill-assistant').locator('button.reject').click();
    await page.locator('#actions tr[data-action="A1"] button', { hasText: 'Close' }).click();
    await page.locator('#actions tr[data-action="A1"] .action-closed').waitFor();
    const complete = page.locator('#postmortem button');
    if (await complete.count()) await complete.click();
    await page.locator('#status', { hasText: 'closed' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(artifacts, 'incident-closed.png'), fullPage: true });
  });

  it('declares from the form and opens the new incident', async () => {
    await page.click('nav a[href="#/"]');
    await page.click('details.declare summary');
    await page.fill('details.declare input[name="title"]', 'Agent e-mails customers unprompted');
    await page.selectOption('details.declare select[name="category"]', 'excessive-agency');
    await page.selectOption('details.declare select[name="severity"]', 'P1');
    await page.click('details.declare button[type="submit"]');
    await page.waitForURL(/#\/incidents\/INC-[0-9A-Z]{5}$/);
    await page.locator('h1', { hasText: 'Agent e-mails customers unprompted' }).waitFor();
    assert.match(await page.locator('.incident-header .facts').innerText(), /IC alice · declared .* by alice/);
  });

  it('draws the KPI charts from /api/kpis', async () => {
    await page.click('nav a[href="#/kpis"]');
    await page.locator('#chart-mitigation').waitFor();
    const points = await page.evaluate(() => {
      const chartOf = (id: string) =>
        (
          globalThis as unknown as {
            Chart: { getChart(id: string): { data: { datasets: { label: string; data: unknown[] }[] } } };
          }
        ).Chart.getChart(id);
      return {
        mitigation: chartOf('chart-mitigation').data.datasets.map((d) => [d.label, d.data.length]),
        closure: chartOf('chart-closure').data.datasets[0]!.data,
        actions: chartOf('chart-actions').data.datasets[0]!.data,
      };
    });
    assert.ok(
      points.mitigation.some(([label, n]) => label === 'P2 time to mitigate (h)' && n === 1),
      'the mitigated incident is a point',
    );
    assert.ok(
      points.mitigation.some(([label]) => /P2 target/.test(String(label))),
      'with its target',
    );
    assert.deepEqual(points.closure, [100], 'the one action due closed on time');
    assert.deepEqual(points.actions, [0, 0], 'no open or overdue actions');
    await page.screenshot({ path: join(artifacts, 'kpis.png'), fullPage: true });
    assert.deepEqual(pageErrors, [], 'no script errors on any page');
  });

  it('classifies from the form: a refusal naming who may, then the IC starts the clock shown on the page', async () => {
    const classified = await declareByApi();
    await page.goto(`${product.url}/#/incidents/${classified}`);
    const form = page.locator('#classify-form');
    await form.locator('input[name="classification"]').waitFor();
    assert.match(await page.locator('#obligations').innerText(), /Not classified/);

    await actAs('mallory');
    await form.locator('input[name="classification"]').fill('serious-incident');
    await form.locator('input[name="reason"]').fill('I think so');
    await form.locator('button[type="submit"]').click();
    await page.locator('#notice .error').waitFor();
    assert.equal(
      await page.locator('#notice').innerText(),
      `Refused: mallory may not classify ${classified}: only the incident commander may`,
    );
    await page.locator('#timeline li[data-type="request.refused"]').waitFor();

    await actAs('alice');
    // Two hours ago, on the browser's clock, as a datetime-local input takes it.
    const awareAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 3_600_000);
    const local = await page.evaluate((ms) => {
      const d = new Date(ms);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    }, awareAt.getTime());
    await form.locator('input[name="classification"]').fill('serious-incident');
    await form.locator('input[name="awareAt"]').fill(local);
    await form.locator('input[name="reason"]').fill('unsafe medical advice reached users');
    await form.locator('button[type="submit"]').click();
    const obligation = page.locator('#obligations li[data-obligation="ai-act-serious-incident"]');
    await obligation.waitFor();
    // 15 days from two hours ago, as of the page's last poll: just under 14 d 22 h, or exactly it within half a second.
    assert.match(await obligation.innerText(), /open, due .* \(due in 14 d 2[12] h\)/);
    assert.match(
      await page.locator('#obligations li[data-classification="serious-incident"]').innerText(),
      /serious-incident by alice .*: unsafe medical advice reached users/,
    );
    const state = (await (await fetch(`${product.url}/api/incidents/${classified}`)).json()) as IncidentState;
    assert.deepEqual(
      state.classifications!.map((c) => [c.by, c.via, c.awareAt]),
      [['alice', 'local', awareAt.toISOString()]],
    );
    assert.equal(await form.locator('input[name="reason"]').inputValue(), '', 'the form is cleared');
    await page.screenshot({ path: join(artifacts, 'classified.png'), fullPage: true });
    assert.deepEqual(pageErrors, [], 'no script errors');
  });
});

describe('console sign-in with OpenID Connect, in Chromium', { skip }, () => {
  let idp: OidcTestProvider;
  let signedIn: RunningProduct | undefined;

  after(async () => {
    await stopProduct(signedIn);
    await idp?.stop();
  });

  it("signs in through the provider's real login page; the IC's approval is on the timeline as alice (oidc)", async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startOidcProvider({
      people: { alice: { email: 'alice@example.com', groups: [] } },
      redirectUris: [`${publicUrl}/auth/callback`],
    });
    signedIn = spawnProduct({
      DATA_DIR: await tempDir('console-oidc'),
      PORT: String(port),
      TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
      TEMPORAL_UI: 'off',
      PUBLIC_URL: publicUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_AUDIENCE: API_AUDIENCE,
      OIDC_RESOURCE: API_RESOURCE,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
    });
    await waitHealthy(signedIn, 60_000);
    const token = await idp.accessToken('alice');
    const declared = await fetch(`${publicUrl}/api/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        title: 'Toxic replies after the deploy',
        category: 'harmful-output',
        severity: 'P2',
        runbook: 'harmful-output-spike',
      }),
    });
    assert.equal(declared.status, 201, await declared.clone().text());
    const { id } = (await declared.json()) as { id: string };
    assert.equal((await fetch(`${publicUrl}/api/incidents/${id}`)).status, 401, 'nothing without signing in');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const tab = await context.newPage();
    await tab.goto(`${publicUrl}/#/incidents/${id}`);
    // Not signed in: the page sends the browser to the provider's login form.
    await tab.locator('input[name="login"]').waitFor();
    await tab.screenshot({ path: join(artifacts, 'oidc-login.png'), fullPage: true });
    await tab.fill('input[name="login"]', 'alice');
    await tab.fill('input[name="password"]', 'any');
    await tab.click('button[type="submit"]');
    const consent = tab.locator('button[type="submit"]', { hasText: /continue|consent|authorize/i });
    if (await consent.count()) await consent.first().click();
    await tab.locator('#whoami').waitFor();
    // runbooks/directory.yaml lists alice@example.com as alice: the same person as on the CLI and in Slack.
    assert.equal(await tab.locator('#whoami').innerText(), 'alice');
    assert.match(await tab.locator('#identity').innerText(), /Signed in as alice \(oidc\)/);
    const cookie = (await context.cookies()).find((c) => c.name === 'incident_session');
    assert.ok(cookie?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(cookie?.sameSite, 'Lax');

    await tab.locator(`#pending [data-step="kill-assistant"] button.approve`).click();
    await tab.locator('#results li[data-step="kill-assistant"].step-verified').waitFor();
    const state = (await (
      await fetch(`${publicUrl}/api/incidents/${id}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as IncidentState;
    const approved = state.timeline.find((e) => e.type === 'containment.approved');
    assert.deepEqual([approved?.actor, approved?.via], ['alice', 'oidc']);
    assert.match(
      await tab.locator('#results li[data-step="kill-assistant"]').innerText(),
      /approved by alice \(oidc\)/,
    );
    assert.match(
      await tab.locator('#timeline li[data-type="containment.approved"]').innerText(),
      /alice \(oidc\) Approved/,
    );
    await tab.screenshot({ path: join(artifacts, 'oidc-signed-in.png'), fullPage: true });
    await context.close();
  });
});
