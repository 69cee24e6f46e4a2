// The Slack app as an AWS Lambda: Bolt's Lambda receiver, the real Web API client against the Slack
// contract fake, and Temporal (the worker runs elsewhere, here the harness's).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { handler as SlackLambdaHandler } from '../app/slack/lambda.js';
import { eventually } from './support/eventually.js';
import { startSlackFake, type SlackFake } from './support/slack-fake.js';
import { interactionBody, slackSignature, slashCommandBody, viewSubmissionPayload } from './support/slack-requests.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const SIGNING_SECRET = 'lambda-slack-signing-secret-01';
let harness: TemporalHarness;
let slack: SlackFake;
let handler: typeof SlackLambdaHandler;

before(async () => {
  harness = await startTemporalHarness();
  slack = await startSlackFake();
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

/** An API Gateway (HTTP API, v2) event carrying a request as Slack signs it. */
function event(
  body: string,
  { signature, timestamp = Math.floor(Date.now() / 1000) }: { signature?: string; timestamp?: number } = {},
) {
  return {
    version: '2.0',
    rawPath: '/slack/events',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature ?? slackSignature(SIGNING_SECRET, body, timestamp),
    },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: { http: { method: 'POST', path: '/slack/events' } },
  };
}

describe('the Slack app as an AWS Lambda', () => {
  it('declares from a modal submission, lists it on /incident list, and refuses a forged request', async () => {
    const forged = (await handler(
      event(slashCommandBody({ text: 'list', user_id: 'U0IC', response_url: slack.responseUrl('forged') }), {
        signature: 'v0=00',
      }),
      {},
      () => undefined,
    )) as { statusCode: number };
    assert.equal(forged.statusCode, 401);

    const submission = viewSubmissionPayload({
      user_id: 'U0IC',
      callback_id: 'incident.declare',
      private_metadata: '{}',
      values: {
        title: { value: { type: 'plain_text_input', value: 'Agent e-mails customers unprompted' } },
        category: {
          value: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: 'x' }, value: 'excessive-agency' },
          },
        },
        severity: {
          value: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'P1' }, value: 'P1' } },
        },
      },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const send = async (at: number) =>
      (
        (await handler(event(interactionBody(submission), { timestamp: at }), {}, () => undefined)) as {
          statusCode: number;
        }
      ).statusCode;
    assert.equal(await send(timestamp), 200);
    assert.equal(await send(timestamp), 409, 'the same signed request again is a replay, refused by the gate');
    const future = (await handler(
      event(interactionBody(submission), { timestamp: timestamp + 600 }),
      {},
      () => undefined,
    )) as {
      statusCode: number;
    };
    assert.equal(future.statusCode, 401, 'stamped ten minutes ahead');
    // Slack showed a timeout (the Lambda answered after the work), so the person submits the same modal
    // again: a new request, which Slack signs anew.
    assert.equal(await send(timestamp + 1), 200);
    const service = harness.service();
    const [incident] = await eventually(
      () => service.list(),
      (list) => list.length === 1,
      'the incident',
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await service.list()).length, 1, 'one incident for one modal, however often it is submitted');
    assert.deepEqual(
      [incident!.title, incident!.severity, incident!.commander],
      ['Agent e-mails customers unprompted', 'P1', 'U0IC'],
    );

    const listed = (await handler(
      event(slashCommandBody({ text: 'list', user_id: 'U0IC', response_url: slack.responseUrl('list') })),
      {},
      () => undefined,
    )) as { statusCode: number };
    assert.equal(listed.statusCode, 200);
    const [answer] = await eventually(
      () => slack.responses.filter((r) => r.path.endsWith('/list')),
      (r) => r.length === 1,
      'the list reply',
    );
    assert.equal(answer!.body.response_type, 'ephemeral');
    assert.match(answer!.body.text, new RegExp(`${incident!.id}\\* \\[P1\\] Agent e-mails customers unprompted`));
  });
});
