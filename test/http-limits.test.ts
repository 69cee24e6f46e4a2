import assert from 'node:assert/strict';
import type { IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadServerConfig } from '../app/config.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { HttpError } from '../app/http/json.js';
import { DEFAULT_HTTP_LIMITS, httpLimitsFrom } from '../app/http/limits.js';
import { alertPrecheck, hubSignaturePrecheck, slackSignaturePrecheck } from '../app/http/prechecks.js';
import type { Route } from '../app/http/router.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { createLogger } from '../integrations/log.js';

const TOKEN = 'alert-token-0123456789';
const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const refusal = (check: () => void): number | undefined => {
  try {
    check();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return err.status;
  }
};

describe('webhook header pre-checks', () => {
  it('alerts: the token is checked in full from Authorization (bearer or basic password)', () => {
    const check = alertPrecheck({ token: TOKEN, loopbackOnly: true });
    const basic = (password: string) => `Basic ${Buffer.from(`am:${password}`).toString('base64')}`;
    assert.equal(
      refusal(() => check(request({}), { source: 'generic' })),
      401,
    );
    assert.equal(
      refusal(() => check(request({ authorization: 'Bearer nope' }), { source: 'generic' })),
      401,
    );
    assert.equal(
      refusal(() => check(request({ authorization: `Token ${TOKEN}` }), { source: 'generic' })),
      401,
    );
    assert.equal(
      refusal(() => check(request({ authorization: basic('nope') }), { source: 'generic' })),
      401,
    );
    assert.equal(
      refusal(() => check(request({ authorization: `Bearer ${TOKEN}` }), { source: 'generic' })),
      undefined,
    );
    assert.equal(
      refusal(() => check(request({ authorization: basic(TOKEN) }), { source: 'generic' })),
      undefined,
    );
    try {
      check(request({}), { source: 'generic' });
    } catch (err) {
      assert.match((err as HttpError).headers['www-authenticate'] ?? '', /Bearer/);
    }
  });

  it('alerts: off (403) with no token off loopback; open on loopback; Grafana must sign when its secret is set', () => {
    assert.equal(
      refusal(() => alertPrecheck({ loopbackOnly: false })(request({}), { source: 'generic' })),
      403,
    );
    assert.equal(
      refusal(() => alertPrecheck({ loopbackOnly: true })(request({}), { source: 'generic' })),
      undefined,
    );
    const grafana = alertPrecheck({ loopbackOnly: true, grafanaSigned: true });
    assert.equal(
      refusal(() => grafana(request({}), { source: 'grafana' })),
      401,
    );
    assert.equal(
      refusal(() => grafana(request({}), { source: 'alertmanager' })),
      undefined,
    );
    assert.equal(
      refusal(() => grafana(request({ 'x-grafana-alert-signature': 'ab' }), { source: 'grafana' })),
      undefined,
    );
  });

  it('tickets: 404 while off, 401 without a sha256=<64 hex> signature header', () => {
    const header = 'X-Hub-Signature-256';
    const on = hubSignaturePrecheck({ tracker: 'GitHub', secret: 's', secretName: 'GITHUB_WEBHOOK_SECRET', header });
    const off = hubSignaturePrecheck({
      tracker: 'GitHub',
      secret: undefined,
      secretName: 'GITHUB_WEBHOOK_SECRET',
      header,
    });
    const valid = `sha256=${'ab'.repeat(32)}`;
    assert.equal(
      refusal(() => off(request({ 'x-hub-signature-256': valid }), {})),
      404,
    );
    for (const bad of [undefined, 'sha256=00', `sha1=${'ab'.repeat(20)}`, `sha256=${'zz'.repeat(32)}`])
      assert.equal(
        refusal(() => on(request(bad ? { 'x-hub-signature-256': bad } : {}), {})),
        401,
        String(bad),
      );
    assert.equal(
      refusal(() => on(request({ 'x-hub-signature-256': valid }), {})),
      undefined,
    );
  });

  it('Slack: 401 without both signature headers (their form is judged over the body, naming what is wrong)', () => {
    const signature = `v0=${'ab'.repeat(32)}`;
    assert.equal(
      refusal(() => slackSignaturePrecheck(request({}))),
      401,
    );
    assert.equal(
      refusal(() => slackSignaturePrecheck(request({ 'x-slack-signature': signature }))),
      401,
    );
    assert.equal(
      refusal(() => slackSignaturePrecheck(request({ 'x-slack-request-timestamp': '1700000000' }))),
      401,
    );
    assert.equal(
      refusal(() =>
        slackSignaturePrecheck(request({ 'x-slack-signature': signature, 'x-slack-request-timestamp': '1700000000' })),
      ),
      undefined,
    );
  });
});

describe('the server: pre-checks, body limits, connections', () => {
  let server: Server;
  let port: number;
  let handled = 0;
  const route = (path: string, extra: Partial<Route>): Route => ({
    method: 'POST',
    path,
    auth: 'webhook',
    rawBody: true,
    docs: { summary: path, responses: {} },
    handle: async ({ rawBody }) => {
      handled++;
      return { status: 200, body: { bytes: rawBody.length } };
    },
    ...extra,
  });
  before(async () => {
    server = await startHttpServer('127.0.0.1', 0, {
      routes: [
        route('/checked', {
          precheck: (req) => {
            if (req.headers.authorization !== 'yes') throw new HttpError(401, 'no');
          },
        }),
        route('/small', { maxBodyBytes: 1024 }),
      ],
      health: async () => ({ healthy: true, report: {} }),
      auth: new Authenticator({ tokensAreASource: false }),
      log: createLogger('error'),
      limits: { ...DEFAULT_HTTP_LIMITS, maxConnections: 3 },
    });
    port = (server.address() as { port: number }).port;
  });
  after(() => stopHttpServer(server));

  const post = (path: string, body: string | ReadableStream, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers, duplex: 'half' });

  it('refuses from the headers without running the route, and closes the connection', async () => {
    const before = handled;
    const refused = await post('/checked', 'x'.repeat(1000));
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('connection'), 'close');
    assert.equal((await post('/checked', 'x', { authorization: 'yes' })).status, 200);
    assert.equal(handled, before + 1);
  });

  it("a route's own body limit: over it by Content-Length or chunked is 413, at it is read", async () => {
    assert.equal((await post('/small', 'x'.repeat(1025))).status, 413);
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(300)));
        controller.close();
      },
    });
    assert.equal((await post('/small', chunked)).status, 413, 'chunked, counted as it comes');
    const atLimit = await post('/small', 'x'.repeat(1024));
    assert.deepEqual(await atLimit.json(), { bytes: 1024 });
  });

  it('drops connections past maxConnections', async () => {
    const open = await Promise.all(
      Array.from(
        { length: 3 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => resolve(socket));
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const extra = connect(port, '127.0.0.1');
    extra.on('error', () => {});
    const closed = await new Promise<boolean>((resolve) => {
      extra.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    assert.ok(closed, 'the fourth connection is closed at once');
    for (const socket of open) socket.destroy();
  });
});

describe('HTTP_* configuration', () => {
  it('defaults to short timeouts and 256 connections; each is settable; nonsense is refused', () => {
    assert.deepEqual(httpLimitsFrom(loadServerConfig({})), DEFAULT_HTTP_LIMITS);
    assert.deepEqual(
      httpLimitsFrom(
        loadServerConfig({
          HTTP_MAX_CONNECTIONS: '10',
          HTTP_HEADERS_TIMEOUT_SECONDS: '2',
          HTTP_REQUEST_TIMEOUT_SECONDS: '2.5',
          HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: '65',
        }),
      ),
      { maxConnections: 10, headersTimeoutMs: 2_000, requestTimeoutMs: 2_500, keepAliveTimeoutMs: 65_000 },
    );
    assert.throws(() => loadServerConfig({ HTTP_REQUEST_TIMEOUT_SECONDS: '0' }), /HTTP_REQUEST_TIMEOUT_SECONDS/);
    assert.throws(() => loadServerConfig({ HTTP_MAX_CONNECTIONS: 'lots' }), /HTTP_MAX_CONNECTIONS/);
  });
});
