// No spelling of a path reaches a route without its credentials (issue 17): every route the server can
// mount, tried with 98 spellings that once walked around the API token (dot segments, empty segments,
// encoded dots and slashes, backslashes, trailing slashes), with and without credentials. Each route's
// handler counts its calls: an unauthenticated request that reaches a `person` or `reader` route fails.
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { contractRoutes } from '../app/http/contract.js';
import type { Route } from '../app/http/router.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { PersonalTokens } from '../app/identity/personal-tokens.js';
import { createLogger } from '../integrations/log.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';

/** 98 spellings of `path`, each of which the server must refuse (400) before any route runs. */
export function spellings(path: string): string[] {
  const inner = path.slice(1);
  const prefixes = [
    '/.//',
    '/%2e//',
    '/%2E//',
    '/x/..//',
    '/././/',
    '/.\\/',
    '//',
    '///',
    '/%2e%2e//',
    '/x/%2e%2e//',
    '/.%2f',
    '/%5c',
  ];
  const suffixes = ['/', '//', '/.', '/..', '/%2e', '/%2f', '\\', '/./', '/%5C', '%2f'];
  const middles = inner.includes('/')
    ? ['//', '/./', '/x/../', '%2f', '%2F', '\\', '/%2e/'].map((joint) => `/${inner.replace('/', joint)}`)
    : [];
  const found = new Set([
    ...prefixes.map((p) => p + inner),
    ...suffixes.map((s) => path + s),
    ...middles,
    ...prefixes.slice(0, 6).flatMap((p) => suffixes.slice(0, 2).map((s) => p + inner + s)),
    ...['/./', '/../', '/.%2e/', '/%2e./', '/%2e%2e/'].map((dots) => `/x${dots}${inner}`),
    ...['/%00', '/%09', '/%0a', '/%7f'].map((control) => `${path}${control}`),
    ...['\\\\', '\\.\\', '/\\/', '/%5C/', '/%5c%5c/'].map((slashes) => `${slashes}${inner}`),
  ]);
  for (let depth = 1; found.size < 98; depth++) found.add(`${'/.'.repeat(depth)}//${inner}`);
  return [...found];
}

/** A concrete request path for a route pattern: `:id` becomes a real-looking id. */
const concrete = (path: string) =>
  path
    .replace(':id', 'INC-7K3QX')
    .replace(':actionId', 'A1')
    .replace(':itemId', 'capture-payload')
    .replace(':source', 'generic')
    .replace(':file', 'app.js');

function send(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('path spellings against every route', () => {
  const reached = new Map<Route, number>();
  let server: Server;
  let port: number;
  let token: string;

  before(async () => {
    const tokens = new PersonalTokens(await tempDir('spellings'));
    token = (await tokens.create({ user: 'alice', expiresInMs: 3_600_000, createdBy: 'test' })).token;
    // Handlers that count their calls and answer 299: reaching one is what is measured.
    const routes = contractRoutes().map((route): Route => ({
      ...route,
      handle: async () => {
        reached.set(route, (reached.get(route) ?? 0) + 1);
        return { status: 299, body: {} };
      },
    }));
    port = await freePort();
    server = await startHttpServer('127.0.0.1', port, {
      routes,
      health: async () => ({ healthy: true, report: {} }),
      auth: new Authenticator({ apiToken: 'shared-api-token-0123456789', tokens, tokensAreASource: true }),
      log: createLogger('error'),
    });
  });
  after(async () => {
    if (server) await stopHttpServer(server);
  });

  it('has 98 spellings of each path', () => {
    assert.equal(new Set(spellings('/api/incidents/INC-7K3QX/approvals')).size, 98);
  });

  it('lets none of them reach a route, with or without credentials; the canonical path needs them', async () => {
    const guarded = contractRoutes().filter((r) => r.auth === 'person' || r.auth === 'reader');
    assert.ok(guarded.length >= 18, 'every /api route and /metrics');
    let tried = 0;
    const statuses = new Map<number, number>();
    for (const route of contractRoutes()) {
      for (const spelling of spellings(concrete(route.path))) {
        for (const headers of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
          const status = await send(port, route.method, spelling, headers);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          tried++;
        }
      }
    }
    assert.deepEqual([...reached.values()], [], 'no spelling reached any route');
    assert.deepEqual([...statuses.keys()], [400], `${tried} requests, every one refused as a bad path`);
    assert.ok(tried >= 98 * 2 * contractRoutes().length);

    for (const route of guarded) {
      const path = concrete(route.path);
      assert.equal(await send(port, route.method, path), 401, `${route.method} ${route.path} without credentials`);
      const withToken = await send(port, route.method, path, { authorization: `Bearer ${token}` });
      assert.ok(withToken === 299 || withToken === 400, `${route.method} ${route.path} with a token: ${withToken}`);
    }
    const unauthenticated = [...reached.keys()].filter((route) => route.auth === 'person' || route.auth === 'reader');
    assert.ok(unauthenticated.length > 0, 'the handlers do count: the token reached them');
  });
});
