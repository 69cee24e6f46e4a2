// The product as `npm start` runs it, with a directory naming a stakeholder group that has an e-mail
// channel (a real SMTP server here) and a signed webhook (a receiver verifying Standard Webhooks).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { runCli, spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';
import { startSmtpInbox } from './support/smtp-inbox.js';
import { libraryWithProductLeads } from './support/stakeholder-library.js';
import { startWebhookReceiver } from './support/webhook-receiver.js';
import { masked, rawSecrets } from './support/secret-samples.js';

const API_KEY = 'sk-proj-E2eK3yAbcdefGhijklMnopqrStuvwx0123456789';
const CUSTOMER = 'jane.doe@customer.example';
let product: RunningProduct | undefined;
after(() => stopProduct(product));

describe('stakeholder delivery in the product', () => {
  it('declaring a P1 whose runbook names a group reaches its members by e-mail and its webhook, redacted', async () => {
    const [smtp, hook] = await Promise.all([startSmtpInbox(), startWebhookReceiver()]);
    try {
      const dataDir = await tempDir('notify-e2e');
      const runbooksDir = await libraryWithProductLeads(
        dataDir,
        ['maria', 'sam'],
        `people:
  - { id: alice, email: alice@example.com, timezone: Europe/Paris }
  - { id: sam, email: sam@example.com, timezone: America/New_York }
  - { id: maria, email: maria@example.com, timezone: Europe/Berlin }
groups:
  product-leads:
    channels:
      - { kind: email }
      - { kind: webhook, urlFrom: env:PRODUCT_LEADS_HOOK_URL, secretFrom: env:PRODUCT_LEADS_HOOK_SECRET }
`,
      );
      const port = await freePort();
      product = spawnProduct({
        DATA_DIR: dataDir,
        PORT: String(port),
        TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
        TEMPORAL_UI: 'off',
        RUNBOOKS_DIR: runbooksDir,
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Incidents <incidents@example.com>',
        PRODUCT_LEADS_HOOK_URL: hook.url,
        PRODUCT_LEADS_HOOK_SECRET: hook.secret,
      });
      await waitHealthy(product, 60_000);
      assert.match(product.output(), /Notifications +e-mail \(SMTP\), webhooks; the rest to /);

      const cliEnv = { INCIDENT_API_URL: `http://127.0.0.1:${port}`, INCIDENT_USER: 'alice' };
      const declared = await runCli(
        ['declare', `Assistant pasted ${API_KEY} to ${CUSTOMER}`, '--category', 'other', '--severity', 'P1', '--json'],
        cliEnv,
      );
      assert.equal(declared.code, 0, declared.stderr);
      const id = (JSON.parse(declared.stdout) as IncidentState).id;

      await eventually(
        async () => ({ mail: smtp.messages.length, hooks: hook.deliveries.length }),
        ({ mail, hooks }) => mail >= 2 && hooks >= 1,
        'the group hears by e-mail and webhook',
      );
      assert.deepEqual(smtp.messages.map((m) => m.to.join()).sort(), ['maria@example.com', 'sam@example.com']);
      for (const message of smtp.messages) {
        assert.equal(message.headers.get('subject'), `[${id}] Incident declared`);
        assert.equal(message.headers.get('x-incident-id'), id);
      }
      assert.equal(hook.deliveries.length, 1);
      assert.ok(hook.requests.every((r) => r.verified));
      const payload = hook.deliveries[0]!.payload;
      assert.equal(payload.data.incidentId, id);
      assert.deepEqual(payload.data.recipients, ['product-leads']);

      const outward = [...smtp.messages.flatMap((m) => [m.raw, m.body]), ...hook.requests.map((r) => r.body)].join(
        '\n',
      );
      for (const raw of [API_KEY, CUSTOMER]) assert.ok(!outward.includes(raw), `${raw} reached a channel unredacted`);
      assert.match(outward, /\[redacted email\]/);

      // A status update from the IC reaches the same people, threaded under the declaration.
      const declaredIds = new Map(smtp.messages.map((m) => [m.to.join(), m.headers.get('message-id')!]));
      const updated = await runCli(
        ['update', id, `Key ${API_KEY} revoked; ${CUSTOMER} told`, '--impact', 'One customer', '--next', '45m'],
        cliEnv,
      );
      assert.equal(updated.code, 0, updated.stderr);
      assert.match(updated.stdout, new RegExp(`^${id} U1 .* internal {2}alice: Key `));
      await eventually(
        async () => ({ mail: smtp.messages.length, hooks: hook.deliveries.length }),
        ({ mail, hooks }) => mail >= 4 && hooks >= 2,
        'the update reaches the group by e-mail and webhook',
      );
      const updateMails = smtp.messages.filter((m) => m.headers.get('subject')?.startsWith(`[${id}] Status update`));
      assert.deepEqual(updateMails.map((m) => m.to.join()).sort(), ['maria@example.com', 'sam@example.com']);
      for (const mail of updateMails) {
        const root = declaredIds.get(mail.to.join());
        assert.ok(root, 'a declaration mail to the same person');
        assert.equal(mail.headers.get('in-reply-to'), root, 'threaded under the declaration');
        assert.match(mail.body, /Impact: One customer/);
      }
      const updateHook = hook.deliveries.find((d) => /Status update/.test(JSON.stringify(d.payload)));
      assert.ok(updateHook, 'the webhook got the update');

      const outwardAll = [...smtp.messages.flatMap((m) => [m.raw, m.body]), ...hook.requests.map((r) => r.body)].join(
        '\n',
      );
      for (const raw of [API_KEY, CUSTOMER])
        assert.ok(!outwardAll.includes(raw), `${raw} reached a channel unredacted in an update`);

      const shown = await eventually(
        async () => JSON.parse((await runCli(['show', id, '--json'], cliEnv)).stdout) as IncidentState,
        (state) =>
          state.timeline.filter(
            (e) => e.type === 'notification.sent' && e.data?.key?.toString().startsWith(`${id}/update/U1`),
          ).length >= 3,
        'the timeline records each channel of the update',
      );
      const channels = shown.timeline
        .filter((e) => e.type === 'notification.sent' && String(e.data?.key).startsWith(`${id}/update/U1`))
        .map((e) => e.data?.channel)
        .sort();
      assert.equal(channels.length, 3);
      assert.deepEqual(channels.slice(0, 2), ['e-mail to maria', 'e-mail to sam']);
      assert.match(String(channels[2]), /^webhook .*\(product-leads #2\)$/);
      const timeline = JSON.stringify(shown.timeline);
      const logs = product.output();
      for (const secret of [hook.url, hook.secret, smtp.url])
        assert.ok(!timeline.includes(secret) && !logs.includes(secret), 'a channel credential was shown');
      assert.ok(!logs.includes(API_KEY));

      // Every kind of secret and personal data the redactor knows, in a title and a description:
      // none reaches the e-mails, the webhook, the incident record (tickets.json), the inbox or the log.
      const [first, ...rest] = masked;
      const leaky = await runCli(
        [
          'declare',
          `Leak: ${first![1]}`,
          '--category',
          'other',
          '--severity',
          'P1',
          '--description',
          rest.map(([, input]) => input).join('\n'),
          '--json',
        ],
        cliEnv,
      );
      assert.equal(leaky.code, 0, leaky.stderr);
      const leakyId = (JSON.parse(leaky.stdout) as IncidentState).id;
      await eventually(
        async () => (await readFile(join(dataDir, 'tickets.json'), 'utf8').catch(() => '')).includes(leakyId),
        Boolean,
        'the incident record is filed',
      );
      await eventually(
        () => smtp.messages.length,
        (n) => n >= 4,
        'the group hears of the second incident',
      );
      const sinks = {
        'e-mail': smtp.messages.flatMap((m) => [m.raw, m.body]).join('\n'),
        webhook: hook.requests.map((r) => r.body).join('\n'),
        'incident record': await readFile(join(dataDir, 'tickets.json'), 'utf8'),
        inbox: await readFile(join(dataDir, 'notifications.jsonl'), 'utf8').catch(() => ''),
        log: product.output(),
      };
      const leaks = masked.flatMap((sample) =>
        rawSecrets(sample).flatMap((raw) =>
          Object.entries(sinks)
            .filter(([, text]) => text.includes(raw))
            .map(([sink]) => `${sample[0]} (${raw}) in the ${sink}`),
        ),
      );
      assert.deepEqual(leaks, [], `${masked.length} kinds of secret, none may reach a sink`);
    } finally {
      await stopProduct(product);
      product = undefined;
      await Promise.all([smtp.stop(), hook.stop()]);
    }
  });
});
