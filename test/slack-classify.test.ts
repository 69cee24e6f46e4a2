// `/incident classify <classification> [aware-at] <reason>` in an incident's Slack channel: signed as
// Slack signs it, through Bolt and the real Web API client against the Slack contract fake, on the dev
// server. Same validation, refusals and words as the CLI and the API (policy `classify`).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IncidentService } from '../app/incident-service.js';
import type { handler as SlackLambdaHandler } from '../app/slack/lambda.js';
import { eventually } from './support/eventually.js';
import { startSlackFake, type SlackFake } from './support/slack-fake.js';
import { slackSignature, slashCommandBody } from './support/slack-requests.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const SIGNING_SECRET = 'classify-slack-signing-secret-01';
let harness: TemporalHarness;
let slack: SlackFake;
let service: IncidentService;
let handler: typeof SlackLambdaHandler;

before(async () => {
  harness = await startTemporalHarness();
  slack = await startSlackFake();
  service = harness.service();
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: harness.temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: harness.taskQueue,
    RUNBOOKS_DIR: harness.runbooks.dir,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
  });
  ({ handler } = await import('../app/slack/lambda.js'));
});
after(async () => {
  await harness?.stop();
  await slack?.close();
});

let replies = 0;
/** Types `/incident <text>` as `user` in the incident's channel; resolves with what the app answered there. */
async function command(
  user: string,
  incidentId: string,
  text: string,
): Promise<{ response_type: string; text: string }> {
  const name = `reply-${++replies}`;
  const body = slashCommandBody({
    text,
    user_id: user,
    channel_id: 'C0INCIDENT',
    channel_name: `${incidentId.toLowerCase()}-support-bot-leak`,
    response_url: slack.responseUrl(name),
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const event = {
    version: '2.0',
    rawPath: '/slack/events',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(SIGNING_SECRET, body, timestamp),
    },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: { http: { method: 'POST', path: '/slack/events' } },
  };
  const answered = (await handler(event, {}, () => undefined)) as { statusCode: number };
  assert.equal(answered.statusCode, 200);
  const [reply] = await eventually(
    () => slack.responses.filter((r) => r.path.endsWith(`/${name}`)),
    (found) => found.length === 1,
    `the reply to "${text}"`,
  );
  return reply!.body;
}

describe('/incident classify in Slack', () => {
  it('records the classification with the Slack user as actor; refuses others naming who may, and bad input as the API does', async () => {
    const { id } = await service.declare({
      title: 'Support bot quotes another customer’s address',
      category: 'data-leak',
      severity: 'P2',
      declaredBy: 'U0IC',
      declaredVia: 'slack',
    });

    const refused = await command('U0MALLORY', id, 'classify personal-data-breach saw it on social media');
    assert.equal(refused.response_type, 'ephemeral');
    assert.equal(refused.text, `:warning: U0MALLORY may not classify ${id}: only the incident commander may`);
    await eventually(
      () => service.get(id),
      (s) => s.timeline.some((e) => e.type === 'request.refused' && e.actor === 'U0MALLORY' && e.via === 'slack'),
      'the refused classification on the timeline',
    );

    const future = new Date(Date.now() + 86_400_000).toISOString();
    const early = await command('U0IC', id, `classify personal-data-breach ${future} seen tomorrow`);
    assert.equal(early.text, ':warning: Invalid request: awareAt: must not be in the future');
    const badDate = await command('U0IC', id, 'classify personal-data-breach 2026-13-45 when exactly?');
    assert.match(badDate.text, /^:warning: Invalid request: awareAt: must be an ISO date-time/);
    const noReason = await command('U0IC', id, 'classify personal-data-breach');
    assert.match(noReason.text, /^:warning: Invalid request: reason: must not be empty/);
    const unknown = await command('U0IC', id, 'classify serious-incident an AI Act case?');
    assert.match(unknown.text, /^:warning: .*\(known: personal-data-breach\)/);
    assert.equal((await service.get(id)).classifications, undefined, 'nothing classified by any of those');

    const awareAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const classified = await command(
      'U0IC',
      id,
      `classify personal-data-breach ${awareAt} other customers’ names in answers`,
    );
    assert.equal(classified.response_type, 'in_channel');
    assert.match(classified.text, new RegExp(`classified ${id} as personal-data-breach \\(aware since ${awareAt}\\)`));
    const state = await service.get(id);
    assert.deepEqual(
      state.classifications!.map((c) => [c.classification, c.by, c.via, c.awareAt, c.reason]),
      [['personal-data-breach', 'U0IC', 'slack', awareAt, 'other customers’ names in answers']],
    );
    assert.equal(state.obligations![0]!.dueAt, new Date(Date.parse(awareAt) + 72 * 3_600_000).toISOString());
    const entry = state.timeline.find((e) => e.type === 'obligation.classified')!;
    assert.deepEqual([entry.actor, entry.via], ['U0IC', 'slack']);
  });
});
