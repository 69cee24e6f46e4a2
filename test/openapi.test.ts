import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { contractRoutes, openApiJson } from '../app/http/contract.js';
import { OPENAPI_PATH, openApiDocument, openApiPath, withOpenApi } from '../app/http/openapi.js';
import type { Route } from '../app/http/router.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { Authenticator } from '../app/identity/authenticator.js';
import { createLogger } from '../integrations/log.js';
import { freePort } from './support/ports.js';

const committed = new URL('../../openapi.json', import.meta.url); // the repository root, from dist/test
const handle: Route['handle'] = async () => ({ status: 200, body: {} });

describe('OpenAPI document', () => {
  it('ships openapi.json generated from the routes (run npm run openapi)', async () => {
    assert.equal(await readFile(committed, 'utf8'), openApiJson());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(openApiJson()) as Record<string, unknown>);
    assert.equal(validator.version, '3.1');
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
  });

  it('describes every route the server mounts, each POST with its body', () => {
    const routes = contractRoutes();
    const { paths } = openApiDocument(routes);
    for (const route of routes) {
      const operation = paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.path} is missing`);
      if (route.method === 'POST')
        assert.ok(operation.requestBody, `${route.method} ${route.path} has no request body`);
    }
    const described = Object.values(paths).reduce((n, operations) => n + Object.keys(operations).length, 0);
    assert.equal(described, routes.length + 1, 'the routes and /healthz, nothing else');
    assert.ok(routes.some((r) => r.path === OPENAPI_PATH));
  });

  it('refuses a POST route without a body schema, and parameters its path lacks', () => {
    const schemaless: Route = {
      method: 'POST',
      path: '/api/things',
      auth: 'person',
      docs: { summary: 'Make a thing', responses: { 201: 'Made' } },
      handle,
    };
    assert.throws(() => openApiDocument([schemaless]), /POST \/api\/things has no body schema/);
    assert.throws(() => withOpenApi([schemaless]), /has no body schema/, 'a server with such a route does not start');
    const { params } = contractRoutes().find((r) => r.path === '/api/incidents/:id')!.docs;
    const stray: Route = {
      method: 'GET',
      path: '/api/things/:thing',
      auth: 'reader',
      docs: { summary: 'A thing', params: params!, responses: { 200: 'It' } },
      handle,
    };
    assert.throws(() => openApiDocument([stray]), /parameters its path does not have: id/);
  });
});

describe('GET /api/openapi.json', () => {
  const TOKEN = 'test-token-0123456789abcdef';
  let server: Server;
  let base: string;
  before(async () => {
    const port = await freePort();
    server = await startHttpServer('127.0.0.1', port, {
      routes: contractRoutes(),
      health: async () => ({ healthy: true, report: {} }),
      auth: new Authenticator({ apiToken: TOKEN, tokensAreASource: false }),
      log: createLogger('error'),
    });
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    if (server) await stopHttpServer(server);
  });

  it('serves the document, behind the API token like every /api route', async () => {
    assert.equal((await fetch(`${base}${OPENAPI_PATH}`)).status, 401);
    const response = await fetch(`${base}${OPENAPI_PATH}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await response.json(), JSON.parse(openApiJson()));
  });
});
