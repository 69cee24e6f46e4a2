// What slow and unauthenticated HTTP clients cost the product as `npm start` runs it. The figures are
// printed as a diagnostic (`npm run bench:limits` runs this file alone).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';
import { peakRssDuring, rssMiB, slowClient, type SlowRequest } from './support/slow-clients.js';

const TOKEN = 'alert-token-0123456789';
/**
 * 100 at once by default (2 shared cores here); `LIMITS_CLIENTS=200 npm run bench:limits` for more. Each
 * refused connection still costs its first socket read (64 KiB, headers and the start of the body)
 * until the next GC, so the RSS added grows with the clients: about 8-11 MiB for 100, 15-23 for 200.
 */
const CLIENTS = Number(process.env.LIMITS_CLIENTS ?? 100);
const MiB = 1024 * 1024;
const REQUEST_TIMEOUT_S = 3;
const HEADERS_TIMEOUT_S = 2;

let product: RunningProduct;
let port: number;
let pid: number;

before(async () => {
  port = await freePort();
  product = spawnProduct({
    DATA_DIR: await tempDir('incident-limits'),
    PORT: String(port),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
    ALERT_WEBHOOK_TOKEN: TOKEN,
    GITHUB_WEBHOOK_SECRET: 'github-webhook-secret-0123',
    JIRA_WEBHOOK_SECRET: 'jira-webhook-secret-0123',
    HTTP_MAX_CONNECTIONS: String(CLIENTS + 50),
    HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_S),
    HTTP_HEADERS_TIMEOUT_SECONDS: String(HEADERS_TIMEOUT_S),
  });
  await waitHealthy(product, 30_000);
  pid = product.mainPid();
});
after(() => stopProduct(product));

/** A few answered requests first, so that lazily loaded code and warmed-up buffers are in the baseline. */
async function settledRss(): Promise<number> {
  for (let i = 0; i < 20; i++) await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.arrayBuffer());
  await new Promise((r) => setTimeout(r, 500));
  return rssMiB(pid);
}

const round = (n: number) => Math.round(n * 10) / 10;

describe('HTTP resource limits', () => {
  it(`${CLIENTS} unauthenticated clients sending 1 MiB − 1 byte to the webhooks add < ${CLIENTS / 10 + 10} MiB: refused from their headers`, async (t) => {
    const kinds: Pick<SlowRequest, 'path' | 'headers'>[] = [
      { path: '/webhooks/alertmanager' },
      { path: '/webhooks/generic', headers: { authorization: 'Bearer not-the-alert-token-0123' } },
      {
        path: '/webhooks/grafana',
        headers: { authorization: `Basic ${Buffer.from('grafana:wrong').toString('base64')}` },
      },
      { path: '/webhooks/tickets/github', headers: { 'x-github-event': 'issues' } },
      { path: '/webhooks/tickets/jira', headers: { 'x-hub-signature': 'sha1=0123' } },
    ];
    const baseline = await settledRss();
    const results: Awaited<ReturnType<typeof slowClient>>[] = [];
    const peak = await peakRssDuring(pid, async () => {
      const clients = Array.from({ length: CLIENTS }, (_, i) =>
        slowClient(port, { ...kinds[i % kinds.length]!, declaredLength: MiB, sendBytes: MiB - 1, holdMs: 10_000 }),
      );
      results.push(...(await Promise.all(clients)));
    });
    const added = peak - baseline;
    t.diagnostic(
      JSON.stringify({
        unauthenticated: CLIENTS,
        baselineMiB: round(baseline),
        peakMiB: round(peak),
        addedMiB: round(added),
      }),
    );
    const statuses = results.map((r) => String(r.status ?? 'reset'));
    t.diagnostic(
      JSON.stringify(
        Object.fromEntries([...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length])),
      ),
    );
    // A 401, or a reset when the server closed while the rest of the body was still coming in.
    assert.deepEqual(
      [...new Set(statuses)].filter((s) => s !== '401' && s !== 'reset'),
      [],
      'every one refused for its credentials, not 413 or 408 after reading',
    );
    assert.ok(statuses.includes('401'), 'the refusal is answered');
    assert.ok(
      results.every((r) => r.closedByServer),
      'the server closes the connection rather than wait for the body',
    );
    assert.ok(added < CLIENTS / 10 + 10, `RSS grew ${round(added)} MiB (from ${round(baseline)} to ${round(peak)})`);
  });

  it('a Content-Length over the limit is refused with 413 before a body byte is sent', async () => {
    const result = await slowClient(port, {
      path: '/webhooks/alertmanager',
      headers: { authorization: `Bearer ${TOKEN}` },
      declaredLength: 2 * MiB,
      sendBytes: 0,
      holdMs: 5_000,
    });
    assert.equal(result.status, 413);
    assert.ok(result.closedByServer && result.afterMs < 1_000, `answered after ${result.afterMs} ms`);
  });

  it('a credentialed client trickling its body is cut with 408 after the request timeout', async () => {
    const result = await slowClient(port, {
      path: '/webhooks/alertmanager',
      headers: { authorization: `Bearer ${TOKEN}` },
      declaredLength: 1_000,
      sendBytes: 10,
      trickleEveryMs: 200,
      holdMs: 20_000,
    });
    assert.equal(result.status, 408);
    assert.ok(result.closedByServer, 'closed by the server');
    // Node checks the timeouts once a second (limits.ts).
    const budget = REQUEST_TIMEOUT_S * 1_000;
    assert.ok(result.afterMs >= budget - 100 && result.afterMs < budget + 2_500, `cut after ${result.afterMs} ms`);
  });

  it('a client trickling its headers is cut after the headers timeout', async () => {
    const result = await slowClient(port, {
      path: '/webhooks/alertmanager',
      declaredLength: 0,
      sendBytes: 0,
      headerLineEveryMs: 300,
      holdMs: 20_000,
    });
    assert.ok(result.closedByServer, 'closed by the server');
    assert.ok(result.afterMs < HEADERS_TIMEOUT_S * 1_000 + 2_500, `cut after ${result.afterMs} ms`);
  });

  it(`${CLIENTS} clients with a plausible signature: what their bodies cost is bounded by the body budget and the timeout`, async (t) => {
    const baseline = await settledRss();
    const results: Awaited<ReturnType<typeof slowClient>>[] = [];
    const peak = await peakRssDuring(pid, async () => {
      const clients = Array.from({ length: CLIENTS }, () =>
        slowClient(port, {
          path: '/webhooks/tickets/github',
          headers: { 'x-hub-signature-256': `sha256=${'ab'.repeat(32)}`, 'x-github-event': 'issues' },
          declaredLength: MiB,
          sendBytes: MiB - 1,
          holdMs: 20_000,
        }),
      );
      results.push(...(await Promise.all(clients)));
    });
    const added = peak - baseline;
    t.diagnostic(
      JSON.stringify({
        signedLooking: CLIENTS,
        baselineMiB: round(baseline),
        peakMiB: round(peak),
        addedMiB: round(added),
      }),
    );
    const statuses = new Set(results.map((r) => r.status));
    assert.ok(
      [...statuses].every((status) => status === 408 || status === 503),
      `408 or 503 only: ${[...statuses].join(', ')}; unanswered: ${JSON.stringify(results.filter((r) => !r.status))}`,
    );
    assert.ok(
      results.some((r) => r.status === 503),
      'past the 32 MiB body budget, refused at once with 503',
    );
    assert.ok(
      results.every((r) => r.afterMs < REQUEST_TIMEOUT_S * 1_000 + 2_500),
      'the others cut by the request timeout',
    );
    // The budget caps held bodies at 32 MiB whatever the number of clients; sockets' own buffers come on top.
    assert.ok(added < 32 + 64, `bodies bounded by the budget: ${round(added)} MiB`);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200, 'still serving');
  });
});
