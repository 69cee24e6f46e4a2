// The embedded stores at the size of 10,000 incidents: one notification sent into an inbox that
// already holds NOTIFICATIONS (default 30,000, what bench:scale's 10,000 incidents leave), and one
// ticket filed into a tracker of TICKETS (default 10,000). Each is main-thread time that every
// escalation, reminder or record holds the event loop for. Prints the median and slowest per call.
// Usage: npm run bench:local-stores
import { writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../dist/integrations/log.js';
import { LocalLogNotifier } from '../dist/integrations/notify/local-log.js';
import { LocalFileTicketProvider } from '../dist/integrations/ticketing/local-file.js';

const NOTIFICATIONS = Number(process.env.NOTIFICATIONS ?? 30_000);
const TICKETS = Number(process.env.TICKETS ?? 10_000);
const CALLS = 100;
const dir = mkdtempSync(join(tmpdir(), 'bench-stores-'));

const message = (i) => ({
  incidentId: `INC-${String(i).padStart(5, '0')}`,
  audience: ['user:ic1', 'group:eng-managers'],
  subject: 'Decision overdue: Disable the send-email tool for the assistant',
  text: `INC-${i} (P1): step "disable-send-email" still waits for a decision.`,
  idempotencyKey: `INC-${i}/01a23adf-422a-7b93-9e9e-a5b124f8cd2b/${i % 9}`,
});
const inbox = join(dir, 'notifications.jsonl');
await writeFile(
  inbox,
  Array.from(
    { length: NOTIFICATIONS },
    (_, i) => JSON.stringify({ at: new Date().toISOString(), ...message(i) }) + '\n',
  ).join(''),
);
const ticket = (i) => ({
  externalId: `INC-${i}/A1`,
  incidentId: `INC-${i}`,
  title: `follow up ${i}`,
  body: 'What happened, and what this action prevents next time.',
  kind: 'prevent',
  severity: 'P1',
  owner: 'owner',
  dueAt: new Date().toISOString(),
  labels: ['incident-response'],
});
const tickets = join(dir, 'tickets.json');
await writeFile(
  tickets,
  JSON.stringify(
    {
      next: TICKETS + 1,
      tickets: Array.from({ length: TICKETS }, (_, i) => ({
        ...ticket(i),
        key: `LOCAL-${i + 1}`,
        createdAt: new Date().toISOString(),
        closed: false,
      })),
    },
    null,
    2,
  ),
);

async function time(label, call) {
  const ms = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await call(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label}: median ${ms[CALLS / 2].toFixed(2)} ms, slowest ${ms.at(-1).toFixed(2)} ms (${CALLS} calls)`);
}

const notifier = new LocalLogNotifier(inbox, createLogger('error'));
await time(`notify into an inbox of ${NOTIFICATIONS}`, (i) => notifier.notify(message(NOTIFICATIONS + i)));
const tracker = new LocalFileTicketProvider(tickets);
await time(`open a ticket in a tracker of ${TICKETS}`, (i) => tracker.open(ticket(TICKETS + i)));
await time(`read a ticket's status in a tracker of ${TICKETS + CALLS}`, (i) =>
  tracker.status({ provider: 'local', key: `LOCAL-${i + 1}`, url: '' }),
);
