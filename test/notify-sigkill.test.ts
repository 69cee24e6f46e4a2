// A worker SIGKILLed between the SMTP server taking an e-mail and the delivery being recorded. The
// product (`npm start` against a dev server the test owns) sends the declaration to a stakeholder; the
// SMTP server stores it and holds its reply; the worker is killed; a second product takes over the
// retried activity. Exactly one copy may reach the server, and the timeline says it is unconfirmed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { LedgerEntry } from '../integrations/notify/ledger.js';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { runCli, spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';
import { startSmtpInbox } from './support/smtp-inbox.js';
import { libraryWithProductLeads } from './support/stakeholder-library.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const directoryYaml = `people:
  - { id: maria, email: maria@example.com, timezone: Europe/Berlin }
groups:
  product-leads:
    channels: [{ kind: email }]
`;

let harness: TemporalHarness | undefined;
const products: RunningProduct[] = [];
after(async () => {
  for (const product of products) await stopProduct(product);
  await harness?.stop();
});

describe('a worker killed while an e-mail is being sent', () => {
  it('sends no second copy: the retry on another worker records it as delivered, unconfirmed', async () => {
    harness = await startTemporalHarness(); // its own worker serves another task queue
    const smtp = await startSmtpInbox();
    try {
      const dataDir = await tempDir('notify-sigkill');
      const env = {
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        TEMPORAL_ADDRESS: harness.temporal.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: 'incidents-sigkill',
        RUNBOOKS_DIR: await libraryWithProductLeads(dataDir, ['maria'], directoryYaml),
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Incidents <incidents@example.com>',
      };
      const cliEnv = { INCIDENT_API_URL: `http://127.0.0.1:${env.PORT}`, INCIDENT_USER: 'alice' };
      const start = async () => {
        const product = spawnProduct(env);
        products.push(product);
        await waitHealthy(product, 60_000);
        return product;
      };

      const first = await start();
      const held = smtp.holdAfterStoring();
      const declared = await runCli(
        ['declare', 'Assistant quotes other tenants', '--category', 'other', '--severity', 'P1', '--json'],
        cliEnv,
      );
      assert.equal(declared.code, 0, declared.stderr);
      const id = (JSON.parse(declared.stdout) as IncidentState).id;
      const mail = await held;
      const messageId = mail.headers.get('message-id')!;
      assert.equal(mail.headers.get('subject'), `[${id}] Incident declared`);

      process.kill(first.mainPid(), 'SIGKILL');
      await first.exited;
      const ledger = (await readFile(join(dataDir, 'deliveries.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as LedgerEntry);
      assert.deepEqual(
        ledger.map((e) => e.type),
        ['sending'],
        'the killed worker left the intent of its send, and no outcome',
      );

      await start();
      const shown = async () => JSON.parse((await runCli(['show', id, '--json'], cliEnv)).stdout) as IncidentState;
      const mailed = (state: IncidentState) =>
        state.timeline.filter((e) => e.type === 'notification.sent' && e.data?.channel === 'e-mail to maria');
      // The killed attempt times out (startToCloseTimeout 30 s) before Temporal retries it.
      const state = await eventually(shown, (s) => mailed(s).length > 0, 'the retried delivery recorded', 90_000);
      assert.equal(
        smtp.messages.filter((m) => m.headers.get('message-id') === messageId).length,
        1,
        'one copy reached the SMTP server',
      );
      assert.match(mailed(state)[0]!.message, /Incident declared \(unconfirmed: its worker stopped during the send/);

      // The next e-mail goes out as usual, threaded under the unconfirmed one.
      const updated = await runCli(['update', id, 'Cross-tenant cache disabled'], cliEnv);
      assert.equal(updated.code, 0, updated.stderr);
      const [, update] = await eventually(
        () => smtp.messages,
        (messages) => messages.length >= 2,
        'the status update e-mailed',
      );
      assert.equal(update!.headers.get('in-reply-to'), messageId);
      assert.equal(smtp.messages.length, 2, 'the declaration once, the update once');
    } finally {
      await smtp.stop();
    }
  });
});
