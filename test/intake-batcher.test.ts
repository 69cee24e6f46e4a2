// The batcher against a Temporal that accepts connections and never answers: every request is settled
// by its own deadline, and one that waited its turn does not cut short the time of the batch it rides.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { IntakeBatcher, IntakeDeadlineExceeded } from '../app/alerts/intake-batcher.js';
import type { GroupAlerts } from '../workflows/messages.js';

const sockets = new Set<Socket>();
const silent = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
let connection: Connection;

before(async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as { port: number };
  connection = Connection.lazy({ address: `127.0.0.1:${port}` });
});
after(async () => {
  await connection.close();
  for (const socket of sockets) socket.destroy();
  silent.close();
});

const group = (groupKey: string): GroupAlerts[] => [
  {
    groupKey,
    routing: {
      runbookId: 'generic',
      severity: 'P3',
      category: 'other',
      title: groupKey,
      description: '',
      commander: 'alice',
      declaredBy: 'generic',
    },
    alerts: [{ fingerprint: groupKey, status: 'firing', title: groupKey, startsAt: '2026-11-27T07:00:00.000Z' }],
  },
];

describe('the intake batcher', () => {
  it('refuses a request still waiting for its turn at its own deadline, and the one in flight at its own', async () => {
    const batcher = new IntakeBatcher(new Client({ connection }), 'incidents');
    const t0 = Date.now();
    const settled = (promise: Promise<void>) =>
      promise.then(
        (): { ok: boolean; ms: number; err?: Error } => ({ ok: true, ms: Date.now() - t0 }),
        (err: Error) => ({ ok: false, ms: Date.now() - t0, err }),
      );
    const inFlight = settled(batcher.submit('alert-intake-00', group('a'), t0 + 1_500));
    const queued = settled(batcher.submit('alert-intake-00', group('b'), t0 + 300));
    const [first, second] = await Promise.all([inFlight, queued]);
    assert.equal(second.ok, false);
    assert.ok(second.err instanceof IntakeDeadlineExceeded, String(second.err));
    assert.ok(
      second.ms >= 250 && second.ms < 1_200,
      `the queued request was refused at ${second.ms} ms, its deadline being 300 ms`,
    );
    assert.equal(first.ok, false, 'Temporal never answered');
    assert.ok(first.ms >= 1_400, `the request in flight kept its own deadline (refused at ${first.ms} ms)`);
  });
});
