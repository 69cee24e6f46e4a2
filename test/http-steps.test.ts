import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import { repoRoot } from './support/paths.js';
import { withTimeSkipping } from './support/time-skipping.js';

installTemporalRuntime('ERROR');

const TOKEN = 'gr-live-9f8e7d6c5b4a';

interface Received {
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

/** A guardrail service on 127.0.0.1 that records what it was sent. */
function startGuardrailService() {
  const received: Received[] = [];
  let strictMode = false;
  let purges = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = req.url ?? '';
    received.push({
      method: req.method ?? '',
      path,
      body,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const reply = (status: number, json?: unknown) => {
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(json === undefined ? undefined : JSON.stringify(json));
    };
    if (req.method !== 'GET' && req.headers.authorization !== `Bearer ${TOKEN}`)
      return reply(401, { error: 'bad token' });
    if (path === '/strict-mode' && req.method === 'POST')
      return ((strictMode = JSON.parse(body).enabled === true), reply(200, { enabled: strictMode }));
    if (path === '/strict-mode' && req.method === 'GET') return reply(200, { enabled: strictMode });
    if (path === '/strict-mode' && req.method === 'DELETE') return ((strictMode = false), reply(204));
    // An error page that echoes the request, credentials included (as debug pages and some gateways do).
    if (path === '/tenants/acme/block')
      return reply(403, { error: 'blocking a tenant needs an admin token', youSent: req.headers.authorization });
    if (path === '/cache/purge') return ++purges === 1 ? reply(503, { error: 'busy' }) : reply(202, { queued: true });
    if (path === '/cache') return reply(200, { entries: 3 }); // the purge never happens
    reply(404);
  };
  const server = createServer((req, res) => void handle(req, res));
  return {
    received,
    strictMode: () => strictMode,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('http containment steps', { concurrency: 1 }, () => {
  const guardrail = startGuardrailService();
  before(async () => {
    process.env.RUNBOOK_SECRET_GUARDRAIL_URL = await guardrail.listen();
    process.env.RUNBOOK_SECRET_GUARDRAIL_TOKEN = TOKEN;
  });
  after(() => guardrail.close());

  it('calls the endpoint with secrets from the worker environment, verifies, surfaces failures, and undoes on approval', () =>
    withTimeSkipping(
      async ({ env, service }) => {
        const { id } = await service.declare({
          title: 'Guardrail bypass',
          category: 'other',
          severity: 'P1',
          declaredBy: 'alice',
        });

        const strict = await service.decide(id, { stepId: 'strict-mode', decision: 'approve' }, 'alice');
        assert.equal(strict.status, 'verified');
        assert.equal(strict.result, 'Verified: GET ${env:RUNBOOK_SECRET_GUARDRAIL_URL}/strict-mode answered 200');
        assert.equal(guardrail.strictMode(), true);
        assert.deepEqual(guardrail.received.slice(0, 2), [
          { method: 'POST', path: '/strict-mode', authorization: `Bearer ${TOKEN}`, body: '{"enabled":true}' },
          { method: 'GET', path: '/strict-mode', authorization: `Bearer ${TOKEN}`, body: '' },
        ]);

        const block = await service.decide(id, { stepId: 'block-tenant', decision: 'approve' }, 'alice');
        assert.equal(block.status, 'failed');
        assert.equal(
          block.result,
          'Execution failed: POST ${env:RUNBOOK_SECRET_GUARDRAIL_URL}/tenants/acme/block answered 403',
          'the status, never the body (which echoed the token)',
        );
        assert.equal(
          guardrail.received.filter((r) => r.path === '/tenants/acme/block').length,
          1,
          'a 4xx is not retried',
        );

        const purge = await service.decide(id, { stepId: 'purge-cache', decision: 'approve' }, 'alice');
        assert.equal(guardrail.received.filter((r) => r.path === '/cache/purge').length, 2, 'a 503 is retried');
        assert.equal(purge.status, 'failed');
        assert.equal(
          purge.result,
          'Verification failed: GET ${env:RUNBOOK_SECRET_GUARDRAIL_URL}/cache answered 200, expected 200 with ""entries":0"',
        );

        let state = await service.get(id);
        assert.deepEqual(
          state.timeline
            .filter((e) => e.message.startsWith('Notified ic:alice: Containment step failed'))
            .map((e) => e.message),
          [
            'Notified ic:alice: Containment step failed: Block the abusing tenant',
            'Notified ic:alice: Containment step failed: Purge the response cache',
          ],
        );

        state = await service.resolve(id, 'alice', 'bypass closed');
        assert.deepEqual(
          state.steps.filter((s) => s.kind === 'undo').map((s) => s.id),
          ['undo-strict-mode'],
          'only a verified step with an undo request is offered',
        );
        const undo = await service.decide(id, { stepId: 'undo-strict-mode', decision: 'approve' }, 'alice');
        assert.equal(undo.status, 'verified');
        assert.equal(guardrail.strictMode(), false);
        assert.deepEqual(guardrail.received.at(-1), {
          method: 'DELETE',
          path: '/strict-mode',
          authorization: `Bearer ${TOKEN}`,
          body: '',
        });

        // Payload data (base64 in the fetched history) decoded, so a secret would show in the search.
        const history = JSON.stringify(
          (await env.client.workflow.getHandle(id).fetchHistory()).events,
          (key, value: unknown) =>
            key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value,
        );
        const final = JSON.stringify(await service.get(id));
        assert.ok(history.includes('${env:RUNBOOK_SECRET_GUARDRAIL_TOKEN}'), 'the history holds the placeholder');
        for (const [where, text] of [
          ['history', history],
          ['incident state', final],
        ] as const) {
          assert.ok(!text.includes(TOKEN), `the token leaked into the ${where}`);
          assert.ok(!text.includes('needs an admin token'), `a response body reached the ${where}`);
        }
      },
      { runbooksDir: join(repoRoot, 'test/fixtures/runbooks-http') },
    ));
});
