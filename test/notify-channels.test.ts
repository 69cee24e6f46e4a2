// Stakeholder delivery through Teams (a contract fake of a Workflows webhook), a Standard Webhooks
// receiver that verifies with the standardwebhooks package, and Slack (the real @slack/web-api client
// against the project's Slack contract fake): per channel, idempotent across retries, secrets kept.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryOutcome, NotificationPlan } from '../integrations/notify/provider.js';
import { slackWebClient } from '../integrations/slack/web-client.js';
import { inActivity, notifySetup, type NotifySetup } from './support/notify-setup.js';
import { startSlackFake, type SlackFake } from './support/slack-fake.js';
import { startTeamsFake, type TeamsFake } from './support/teams-fake.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const SECRET_KEY = 'sk-ant-api03-Qm9vQmFyQmF6UXV4Q29yZ2VHcmF1bHRHYXJwbHk0MjQy';

let teams: TeamsFake;
let hook: WebhookReceiver;
let slack: SlackFake;
let setup: NotifySetup;
const env = () => ({ TEAMS_EXEC_WEBHOOK: teams.url, EXEC_HOOK_SECRET: hook.secret, EXEC_HOOK_URL: hook.url });

before(async () => {
  [teams, hook, slack] = await Promise.all([startTeamsFake(), startWebhookReceiver(), startSlackFake()]);
  slack.addChannel({ id: 'C0EXEC', name: 'exec-incidents' });
  setup = await notifySetup({
    directoryYaml: `
people:
  - { id: maria, email: maria@example.com, slack: U0MARIA }
  - { id: tom, slack: U0TOM }
groups:
  exec-staff:
    channels:
      - { kind: teams, urlFrom: env:TEAMS_EXEC_WEBHOOK }
      - { kind: webhook, urlFrom: env:EXEC_HOOK_URL, secretFrom: env:EXEC_HOOK_SECRET }
  security-leadership:
    channels:
      - { kind: slack, channel: C0EXEC }
      - { kind: slack, dm: true }
`,
    groupsYaml: 'groups:\n  security-leadership: [maria, tom]\n',
    env: env(),
    slack: slackWebClient({ botToken: 'xoxb-test-token', apiUrl: slack.apiUrl }, 'durable'),
  });
});
after(async () => {
  await Promise.all([teams.stop(), hook.stop(), slack.close()]);
});

const notification = (n: number, extra: Partial<{ audience: string[]; subject: string }> = {}) => ({
  incidentId: 'INC-CH4NL',
  audience: ['exec-staff'],
  subject: `Update ${n}: <!channel> tool misuse, key ${SECRET_KEY}`,
  text: `INC-CH4NL (P1, prompt-injection): update ${n}.`,
  ...extra,
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail('expected the activity to fail'),
    (err: unknown) => err as Error,
  );

describe('stakeholder channels', () => {
  it('Teams gets one Adaptive Card 1.4 per notification, answered 202 with an empty body; a retry sends none', async () => {
    await setup.notify(notification(1), '1');
    await setup.notify(notification(1), '1', 2);
    assert.deepEqual(teams.refusals, [], 'every card has the shape Workflows accept');
    assert.equal(teams.cards.length, 1);
    assert.equal(teams.cards[0].version, '1.4');
    assert.match(teams.cards[0].body[0].text, /^Update 1: <!channel> tool misuse, key \[redacted/);
  });

  it('a 500 from the webhook is retried and delivered once, every attempt signed and with the same webhook-id', async () => {
    hook.failNext(500);
    const before = hook.requests.length;
    const err = await failure(setup.notify(notification(2), '2'));
    assert.ok(!(err instanceof ApplicationFailure && err.nonRetryable), 'a 5xx is retried');
    assert.equal(teams.cards.length, 2, 'Teams was delivered meanwhile');
    await setup.notify(notification(2), '2', 2);
    assert.equal(teams.cards.length, 2, 'the retry did not send Teams again');
    const attempts = hook.requests.slice(before);
    assert.equal(attempts.length, 2);
    assert.ok(
      attempts.every((r) => r.verified),
      'verified by standardwebhooks',
    );
    assert.equal(attempts[0]!.id, attempts[1]!.id, 'webhook-id is the idempotency key');
    const delivery = hook.deliveries.find((d) => d.id === attempts[0]!.id)!;
    assert.equal(delivery.payload.type, 'incident.notification');
    assert.deepEqual(delivery.payload.data.recipients, ['exec-staff']);
  });

  it('429 from Teams is retried when it says (Retry-After)', async () => {
    teams.failNext(429);
    const err = await failure(setup.notify(notification(3), '3'));
    assert.ok(err instanceof ApplicationFailure && !err.nonRetryable);
    assert.equal(err.nextRetryDelay, 5_000);
    await setup.notify(notification(3), '3', 2);
    assert.equal(teams.cards.length, 3);
  });

  it('410 Gone disables the endpoint: the failure is not retried and nothing more is sent to it', async () => {
    hook.failNext(410);
    const err = await failure(setup.notify(notification(4), '4'));
    assert.ok(err instanceof ApplicationFailure && err.nonRetryable, '410 is final');
    assert.match(err.message, /webhook .*410 Gone, endpoint disabled/);
    const count = hook.requests.length;
    const next = await failure(setup.notify(notification(5), '5'));
    assert.match(next.message, /disabled since .* 410 Gone/);
    assert.equal(hook.requests.length, count, 'the disabled endpoint was not called');
    assert.equal(teams.cards.length, 5, 'Teams still hears every notification');
  });

  it('Slack: the bot posts in the channel and DMs each member; a retry posts nothing; mentions are inert', async () => {
    const audience = ['security-leadership'];
    await setup.notify(notification(6, { audience }), '6');
    await setup.notify(notification(6, { audience }), '6', 2);
    const posts = slack.callsTo('chat.postMessage');
    assert.equal(posts.length, 3, 'one channel message and two DMs, each once');
    assert.deepEqual(
      posts.map((p) => p.args.channel).sort(), // channels are delivered in parallel
      ['C0EXEC', 'D0MARIA', 'D0TOM'],
    );
    const text = slack.messages('C0EXEC')[0]!.text!;
    assert.match(text, /&lt;!channel&gt;/);
    assert.ok(!text.includes('<!channel>'));
    assert.ok(!text.includes(SECRET_KEY));
  });

  it('plans channel by channel for the workflow: keys stable, no URL or secret in what history would hold', async () => {
    const plan: NotificationPlan = await inActivity('INC-CH4NL', '20').run(
      setup.activities.planNotification,
      notification(7),
    );
    const again = await inActivity('INC-CH4NL', '20', 2).run(setup.activities.planNotification, notification(7));
    assert.deepEqual(plan, again, 'a retried plan is the same plan');
    assert.deepEqual(
      plan.deliveries.map((d) => d.target.kind),
      ['teams', 'webhook'],
    );
    assert.equal(new Set(plan.deliveries.map((d) => d.key)).size, 2, 'a key per channel');
    const serialized = JSON.stringify(plan);
    for (const secret of [teams.sig, hook.secret, hook.url]) assert.ok(!serialized.includes(secret));
    const teamsDelivery = plan.deliveries[0]!;
    const outcome: DeliveryOutcome = await inActivity('INC-CH4NL', '21').run(setup.activities.deliverNotification, {
      notification: notification(7),
      delivery: teamsDelivery,
    });
    assert.equal(outcome.status, 'delivered');
    const repeat: DeliveryOutcome = await inActivity('INC-CH4NL', '21', 2).run(setup.activities.deliverNotification, {
      notification: notification(7),
      delivery: teamsDelivery,
    });
    assert.equal(repeat.detail, 'already delivered');
    assert.equal(teams.cards.length, 6, "the plan's Teams delivery, once");
  });

  it('no webhook URL, Teams sig or signing secret reaches the log, an error or the ledger; no secret reaches a channel', async () => {
    const ledger = await readFile(setup.ledger.path, 'utf8');
    const seen = [...setup.logs, ledger].join('\n');
    for (const secret of [teams.sig, teams.url, hook.secret, hook.secret.slice(6)])
      assert.ok(!seen.includes(secret), 'a channel credential was written');
    assert.ok(
      setup.logs.some((l) => l.includes('Teams (exec-staff, TEAMS_EXEC_WEBHOOK)')),
      'deliveries are logged',
    );
    const outward = [
      ...teams.requests.map((r) => JSON.stringify(r.body)),
      ...hook.requests.map((r) => r.body),
      ...slack.calls.map((c) => JSON.stringify(c.args)),
    ].join('\n');
    assert.ok(!outward.includes(SECRET_KEY) && !outward.includes('Qm9vQmFy'), 'the key reached a channel');
  });

  it('falls back to the local inbox for an audience with no channel, keeping the notification key', async () => {
    await setup.notify(notification(8, { audience: ['legal', 'ic:alice'] }), '30');
    const inbox = await setup.local.sent();
    const entry = inbox.find((n) => n.subject.startsWith('Update 8'))!;
    assert.deepEqual(entry.audience, ['legal', 'ic:alice']);
    assert.equal(entry.idempotencyKey, 'INC-CH4NL/0190c1a4-7b9e-7c3a-9d41-2f6b8e5a1c00/30');
  });

  it('a send whose worker died (its intent on disk, no outcome) is not repeated: recorded as unconfirmed', async () => {
    const plan: NotificationPlan = await inActivity('INC-CH4NL', '30').run(
      setup.activities.planNotification,
      notification(8, { audience: ['exec-staff', 'security-leadership'] }),
    );
    const crashed = plan.deliveries.filter((d) => d.target.kind === 'slack' || d.target.kind === 'teams');
    assert.deepEqual(
      crashed.map((d) => d.target.kind),
      ['teams', 'slack', 'slack', 'slack'],
    );
    const sent = () => ({ cards: teams.cards.length, posts: slack.callsTo('chat.postMessage').length });
    const before = sent();
    for (const delivery of crashed) {
      // What a worker SIGKILLed during the send leaves behind (test/notify-sigkill.test.ts kills a real one).
      await setup.ledger.beginSending({
        type: 'sending',
        key: delivery.key,
        incidentId: 'INC-CH4NL',
        label: delivery.label,
        at: new Date().toISOString(),
      });
      for (const attempt of [2, 3]) {
        const outcome: DeliveryOutcome = await inActivity('INC-CH4NL', '31', attempt).run(
          setup.activities.deliverNotification,
          { notification: notification(8), delivery },
        );
        assert.equal(outcome.status, 'unconfirmed', `${delivery.label}, attempt ${attempt}`);
      }
    }
    assert.deepEqual(sent(), before, 'nothing was sent again');
  });
});
