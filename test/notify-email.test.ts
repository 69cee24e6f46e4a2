// Stakeholder e-mail through nodemailer against a real SMTP server (smtp-server) on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { notifySetup, type NotifySetup } from './support/notify-setup.js';
import { startSmtpInbox, type SmtpInbox } from './support/smtp-inbox.js';

const SECRET_KEY = 'sk-proj-T3stK3yAbcdefGhijklMnopqrStuvwx0123456789';
const CUSTOMER = 'victim.customer@bank.example';

const directoryYaml = `
people:
  - { id: maria, name: Maria Keller, email: maria@example.com, timezone: Europe/Berlin }
  - { id: tom, name: Tom Reed, email: tom@example.com, prefers: email }
groups:
  exec-staff:
    channels: [{ kind: email }]
`;
const groupsYaml = `groups:\n  exec-staff: [maria, tom]\n`;

let smtp: SmtpInbox;
let setup: NotifySetup;
before(async () => {
  smtp = await startSmtpInbox();
  setup = await notifySetup({ directoryYaml, groupsYaml, smtpUrl: smtp.url });
});
after(async () => {
  setup.close();
  await smtp.stop();
});

const declared = {
  incidentId: 'INC-EM41L',
  audience: ['exec-staff'],
  subject: `Incident declared: assistant leaked ${SECRET_KEY}`,
  text: `INC-EM41L (P1, data-leak): the assistant mailed ${CUSTOMER} their statement. IC: alice.`,
};

const to = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

describe('stakeholder e-mail over SMTP', () => {
  it('sends one message per member; a retried activity resends only what failed, under the same Message-ID', async () => {
    smtp.failAfterStoring(451); // the relay keeps the message but answers "try again"
    const first = await setup.notify(declared, '5').catch((err: unknown) => err);
    assert.ok(first instanceof Error, 'the activity fails so Temporal retries it');
    assert.ok(!(first instanceof ApplicationFailure && first.nonRetryable), '451 is retryable');
    assert.equal(smtp.messages.length, 2, 'both members were sent to once');

    const retried = (await setup.notify(declared, '5', 2)) as { deliveries: { status: string }[] };
    assert.deepEqual(
      retried.deliveries.map((d) => d.status),
      ['delivered', 'delivered'],
    );
    assert.equal(smtp.messages.length, 3, 'only the refused message was sent again');
    const twice = [to('maria@example.com'), to('tom@example.com')].find((m) => m.length === 2)!;
    assert.ok(twice, 'one member got the retried copy');
    assert.equal(
      twice[0]!.headers.get('message-id'),
      twice[1]!.headers.get('message-id'),
      'a retry is the same message',
    );
    assert.notEqual(
      to('maria@example.com')[0]!.headers.get('message-id'),
      to('tom@example.com')[0]!.headers.get('message-id'),
      'each recipient has a message of their own',
    );

    await setup.notify(declared, '5', 3);
    assert.equal(smtp.messages.length, 3, 'a further retry of a delivered notification sends nothing');
  });

  it('threads the incident: later messages reply to its first message with In-Reply-To and References', async () => {
    await setup.notify({ ...declared, subject: 'Severity P1 → P0', text: 'INC-EM41L is now P0.' }, '9');
    for (const address of ['maria@example.com', 'tom@example.com']) {
      const messages = to(address);
      const root = messages[0]!.headers.get('message-id')!;
      const update = messages.at(-1)!;
      assert.match(update.headers.get('subject')!, /^\[INC-EM41L\] Severity P1 → P0$/);
      assert.equal(update.headers.get('in-reply-to'), root);
      assert.ok(update.headers.get('references')!.includes(root));
      assert.notEqual(update.headers.get('message-id'), root);
      assert.equal(messages[0]!.headers.get('in-reply-to'), undefined, 'the first message starts the thread');
      assert.equal(update.headers.get('x-incident-id'), 'INC-EM41L');
    }
  });

  it('never sends a secret or a personal datum from the incident', () => {
    assert.ok(smtp.messages.length > 0);
    for (const { raw, body, headers } of smtp.messages) {
      const seen = [raw, body, ...headers.values()].join('\n');
      assert.ok(!seen.includes(SECRET_KEY) && !seen.includes('T3stK3y'), 'the API key reached an e-mail');
      assert.ok(!seen.includes(CUSTOMER), "the customer's address reached an e-mail");
    }
    assert.match(smtp.messages[0]!.body, /\[redacted email\] their statement/, 'the body is the redacted text');
    assert.match(smtp.messages[0]!.headers.get('subject')!, /\[redacted/);
  });

  it('records a permanent refusal as failed at once, naming the channel', async () => {
    const refusing = await startSmtpInbox();
    const other = await notifySetup({ directoryYaml, groupsYaml, smtpUrl: refusing.url });
    try {
      refusing.failAfterStoring(550, 2);
      const err = await other.notify({ ...declared, incidentId: 'INC-REFU5' }, '1').catch((e: unknown) => e);
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable, '550 is not retried');
      assert.match(err.message, /e-mail to (maria|tom).*SMTP 550/);
    } finally {
      other.close();
      await refusing.stop();
    }
  });
});
