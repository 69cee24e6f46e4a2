// Bodies held at once are bounded across connections (issue 18): clients that look authentic (their
// signature can only be checked over the body) cannot hold the body limit each and fill memory. Past
// the budget a body is a 503 with Retry-After, and the budget is back once those bodies are gone.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Authenticator } from '../app/identity/authenticator.js';
import { BodyBudget } from '../app/http/json.js';
import type { Route } from '../app/http/router.js';
import { startHttpServer, stopHttpServer } from '../app/http/server.js';
import { createLogger } from '../integrations/log.js';
import { freePort } from './support/ports.js';

const MIB = 1024 * 1024;
let server: Server;
let port: number;

const route: Route = {
  method: 'POST',
  path: '/webhooks/signed',
  auth: 'webhook',
  rawBody: true,
  docs: { summary: 'a signed webhook', responses: { 202: 'taken' } },
  handle: async ({ rawBody }) => ({ status: 202, body: { bytes: rawBody.length } }),
};

before(async () => {
  port = await freePort();
  server = await startHttpServer('127.0.0.1', port, {
    routes: [route],
    health: async () => ({ healthy: true, report: {} }),
    auth: new Authenticator({ tokensAreASource: false }),
    bodyBudget: new BodyBudget(2 * MIB),
    log: createLogger('error'),
  });
});
after(async () => {
  if (server) await stopHttpServer(server);
});

/** A client that announces `length` bytes and sends `sent` of them, then waits. */
function slowClient(length: number, sent: number): { socket: Socket; answer: Promise<string>; received: () => string } {
  const socket = connect(port, '127.0.0.1');
  socket.write(
    `POST /webhooks/signed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
  );
  socket.write(Buffer.alloc(sent, 0x61));
  let received = '';
  const answer = new Promise<string>((resolve) => {
    socket.on('data', (d) => (received += d.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
  });
  return { socket, answer, received: () => received };
}

describe('the body budget', () => {
  it('refuses bodies past 2 MiB held at once with 503, and takes bodies again once they are gone', async () => {
    const clients = Array.from({ length: 5 }, () => slowClient(MIB - 1, 900 * 1024));
    const refused = () => clients.filter((c) => /^HTTP\/1\.1 503 /.test(c.received()));
    for (let i = 0; i < 50 && refused().length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(refused().length, 3, 'two bodies of 900 KiB fit in 2 MiB; the other three are refused at once');
    assert.match(refused()[0]!.received(), /retry-after: 2/i);
    assert.match(refused()[0]!.received(), /Too many request bodies are being received at once/);
    for (const client of clients) client.socket.destroy();
    await Promise.all(clients.map((c) => c.answer));
    const answer = await fetch(`http://127.0.0.1:${port}/webhooks/signed`, {
      method: 'POST',
      body: 'x'.repeat(100_000),
    });
    assert.equal(answer.status, 202, 'the budget is given back when a body is gone');
  });
});
