// The Slack chat provider against the Slack contract fake (real @slack/web-api), and the reading of
// `/incident` text: channel names Slack accepts, clashes, retries, and what each subcommand means.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseIncidentCommand } from '../app/slack/incident-command.js';
import { channelName, incidentOfChannel, SlackChat } from '../integrations/slack/slack-chat.js';
import { SlackUsergroups } from '../integrations/slack/usergroups.js';
import { slackWebClient } from '../integrations/slack/web-client.js';
import { ServiceBusy, ServiceRefused } from '../integrations/service-errors.js';
import { startSlackFake, type SlackFake } from './support/slack-fake.js';

const SLACK_NAME = /^[a-z0-9_-]{1,80}$/;
let slack: SlackFake;
let chat: SlackChat;

before(async () => {
  slack = await startSlackFake();
  const client = slackWebClient({ botToken: 'xoxb-test-token', apiUrl: slack.apiUrl }, 'durable');
  chat = new SlackChat(client, new SlackUsergroups(client), async () => ({ 'ml-platform': 'S0ML' }));
  slack.addUsergroup({ id: 'S0ML', handle: 'ml-platform', users: ['U0LEE', 'U0ANA'] });
});
after(() => slack?.close());

describe('incident channel names', () => {
  it('are valid Slack names made of the id and title, and lead back to the incident', () => {
    assert.equal(channelName('INC-7K3QX', 'Überraschung: 🚨 LLM leaks PII!'), 'inc-7k3qx-uberraschung-llm-leaks-pii');
    const long = channelName('INC-7K3QX', 'A very long title '.repeat(10));
    assert.match(long, SLACK_NAME);
    assert.ok(!long.endsWith('-'));
    assert.equal(channelName('INC-7K3QX', '!!!'), 'inc-7k3qx');
    assert.equal(incidentOfChannel(long), 'INC-7K3QX');
    assert.equal(incidentOfChannel('general'), undefined);
  });
});

describe('the Slack chat provider', () => {
  it('takes the next free name when another channel has it, and finds its own channel again after a retry', async () => {
    slack.addChannel({ name: 'inc-aaaaa-model-leak', purpose: 'someone else’s channel' });
    const request = {
      incidentId: 'INC-AAAAA',
      title: 'Model leak',
      severity: 'P1' as const,
      people: ['U0IC', 'alice'],
      groups: { 'ml-platform': ['U0OPS', 'lee'] },
    };
    const opened = await chat.openChannel(request);
    assert.equal(opened.name, 'inc-aaaaa-model-leak-2');
    assert.deepEqual(
      opened.invited?.sort(),
      ['U0ANA', 'U0IC', 'U0LEE', 'U0OPS'],
      'Slack ids only: people, listed group members, and the Slack user group',
    );
    assert.match(slack.channels.get(opened.id)!.purpose, /INC-AAAAA/);

    const again = await chat.openChannel(request); // an activity retried after it had created the channel
    assert.equal(again.id, opened.id);
    assert.equal(
      [...slack.channels.values()].filter((c) => c.name.startsWith('inc-aaaaa')).length,
      2,
      'no third channel',
    );
  });

  it('updates the status message in place, and posts it anew when someone deleted it', async () => {
    const channel = await chat.openChannel({
      incidentId: 'INC-BBBBB',
      title: 'Status',
      severity: 'P2',
      people: [],
      groups: {},
    });
    const view = {
      incidentId: 'INC-BBBBB',
      title: 'Status',
      severity: 'P2' as const,
      status: 'triaging' as const,
      commander: 'U0IC',
      steps: [],
      pendingApprovals: 0,
    };
    const { ts } = await chat.showStatus(channel, view);
    await chat.pin(channel, ts);
    await chat.pin(channel, ts); // a retried pin is fine
    assert.equal((await chat.showStatus(channel, { ...view, status: 'mitigated' }, ts)).ts, ts);
    assert.match(JSON.stringify(slack.messages(channel.id).find((m) => m.ts === ts)!.blocks), /mitigated/);
    slack.failNext('chat.update', { error: 'message_not_found' });
    const reposted = await chat.showStatus(channel, { ...view, status: 'resolved' }, ts);
    assert.notEqual(reposted.ts, ts);
  });

  it('shows the latest status update and when the next is due in the status message', async () => {
    const channel = await chat.openChannel({
      incidentId: 'INC-BBBBC',
      title: 'U',
      severity: 'P1',
      people: [],
      groups: {},
    });
    const view = {
      incidentId: 'INC-BBBBC',
      title: 'U',
      severity: 'P1' as const,
      status: 'triaging' as const,
      commander: 'U0IC',
      steps: [],
      pendingApprovals: 0,
      latestUpdate: { id: 'U2', at: '2026-03-01T10:30:00.000Z', by: 'U0IC', text: 'Filter <deployed>', impact: 'none' },
      nextUpdateDue: '2026-03-01T11:30:00.000Z',
    };
    const { ts } = await chat.showStatus(channel, view);
    const shown = JSON.stringify(slack.messages(channel.id).find((m) => m.ts === ts)!.blocks);
    assert.match(shown, /Latest update\* \(U2, 2026-03-01T10:30:00.000Z, <@U0IC>\): Filter &lt;deployed&gt;/);
    assert.match(shown, /Next status update due 2026-03-01T11:30:00.000Z/);
  });

  it('tells Temporal to wait on a 429, to stop on a refusal, and to retry anything else', async () => {
    const channel = await chat.openChannel({
      incidentId: 'INC-CCCCC',
      title: 'Errors',
      severity: 'P2',
      people: [],
      groups: {},
    });
    const view = {
      incidentId: 'INC-CCCCC',
      title: 'Errors',
      severity: 'P2' as const,
      status: 'triaging' as const,
      commander: 'U0IC',
      steps: [],
      pendingApprovals: 0,
    };
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    await assert.rejects(
      chat.showStatus(channel, view),
      (err: unknown) => err instanceof ServiceBusy && err.retryAfterMs === 7_000,
    );
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    await assert.rejects(
      chat.showStatus(channel, view),
      (err: unknown) => err instanceof ServiceRefused && /channel_not_found/.test(err.message),
    );
    slack.failNext('chat.postMessage', { status: 500 });
    await assert.rejects(
      chat.showStatus(channel, view),
      (err: unknown) =>
        !(err instanceof ServiceRefused) &&
        !(err instanceof ServiceBusy) &&
        /Slack could not/.test((err as Error).message),
    );
  });
});

describe('/incident text', () => {
  it('reads each subcommand, an id anywhere, and says what is wrong', () => {
    assert.deepEqual(parseIncidentCommand(''), { kind: 'declare' });
    assert.deepEqual(parseIncidentCommand('status inc-7k3qx'), { kind: 'status', incidentId: 'INC-7K3QX' });
    assert.deepEqual(parseIncidentCommand('sev p0'), { kind: 'sev', severity: 'P0' });
    assert.deepEqual(parseIncidentCommand('ic <@U0BOB|bob> INC-7K3QX'), {
      kind: 'ic',
      user: 'U0BOB',
      incidentId: 'INC-7K3QX',
    });
    assert.deepEqual(parseIncidentCommand('resolve INC-7K3QX rolled back; rate normal'), {
      kind: 'resolve',
      summary: 'rolled back; rate normal',
      incidentId: 'INC-7K3QX',
    });
    assert.match((parseIncidentCommand('sev P9') as { message: string }).message, /P0, P1, P2, P3/);
    assert.match((parseIncidentCommand('ic bob') as { message: string }).message, /mention/);
    assert.match((parseIncidentCommand('resolve') as { message: string }).message, /Say what resolved it/);
    assert.match((parseIncidentCommand('reboot') as { message: string }).message, /Unknown subcommand "reboot"/);
  });

  it('reads a status update as typed, in the incident channel or with an id', () => {
    assert.deepEqual(parseIncidentCommand('update Filter deployed;\n  watching the rate'), {
      kind: 'update',
      text: 'Filter deployed;\n  watching the rate',
    });
    assert.deepEqual(parseIncidentCommand('update INC-7K3QX back to normal'), {
      kind: 'update',
      text: 'back to normal',
      incidentId: 'INC-7K3QX',
    });
    assert.deepEqual(parseIncidentCommand('update   '), { kind: 'update-form' }, 'no text: the form');
    assert.deepEqual(parseIncidentCommand('update INC-7K3QX'), { kind: 'update-form', incidentId: 'INC-7K3QX' });
  });
});
