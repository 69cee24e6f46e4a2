// Slack as a user meets it: the product as `npm start` runs it, real Bolt and @slack/web-api inside,
// a contract fake of Slack's Web API on 127.0.0.1, and requests signed as Slack signs them.
import assert from 'node:assert/strict';
import { appendFile, cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { repoRoot, tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';
import { startSlackFake, type SlackFake } from './support/slack-fake.js';
import {
  blockActionsPayload,
  interactionBody,
  sendSigned,
  slashCommandBody,
  viewSubmissionPayload,
} from './support/slack-requests.js';

const SIGNING_SECRET = 'slack-signing-secret-0123456789';
const IC = 'U0IC';
const DANA = 'U0DANA';
const OTHER = 'U0OTHER';
const SAFETY_MEMBER = 'U0SAM';
const IMPOSTOR = 'U0EVE';

let slack: SlackFake;
let product: RunningProduct;
let dataDir: string;

before(async () => {
  slack = await startSlackFake();
  slack.addUsergroup({ id: 'S0SAFETY', handle: 'safety-oncall', users: [SAFETY_MEMBER] });
  slack.addChannel({ id: 'C0GENERAL', name: 'general', members: [IC, OTHER, SAFETY_MEMBER, IMPOSTOR] });
  dataDir = await tempDir('slack-product');
  // Slack user groups count by id (groups.yaml `slack:`), never by handle: the impostor's group has the handle only.
  const runbooksDir = join(dataDir, 'runbooks');
  await cp(join(repoRoot, 'runbooks'), runbooksDir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  await appendFile(join(runbooksDir, 'groups.yaml'), 'slack:\n  safety-oncall: S0SAFETY\n');
  // dana is an incident commander by her directory id; in Slack she is U0DANA, the same person.
  await writeFile(
    join(runbooksDir, 'groups.yaml'),
    (await readFile(join(runbooksDir, 'groups.yaml'), 'utf8')).replace(
      'incident-commanders: [alice, maria]',
      'incident-commanders: [alice, maria, dana]',
    ),
  );
  const directory = await readFile(join(runbooksDir, 'directory.yaml'), 'utf8');
  await writeFile(
    join(runbooksDir, 'directory.yaml'),
    directory.replace(
      'people:\n',
      `people:\n  - { id: dana, name: Dana Levi, email: dana@example.com, slack: ${DANA} }\n`,
    ),
  );
  slack.addUsergroup({ id: 'S0IMPOSTOR', handle: 'safety-oncall', users: [IMPOSTOR] });
  product = spawnProduct({
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    RUNBOOKS_DIR: runbooksDir,
  });
  await waitHealthy(product, 60_000);
});

after(async () => {
  await stopProduct(product);
  await slack?.close();
});

const toSlackEndpoint = (body: string, options: { timestamp?: number; signature?: string } = {}) =>
  sendSigned(`${product.url}/slack/events`, body, { secret: SIGNING_SECRET, ...options });

const incident = async (id: string) =>
  (await (await fetch(`${product.url}/api/incidents/${id}`)).json()) as IncidentState;

const blockText = (blocks: unknown) => JSON.stringify(blocks ?? []);

/** Declares through the API (as monitoring or the CLI would), with a Slack user as IC. */
async function declareByApi(title: string): Promise<string> {
  const answer = await fetch(`${product.url}/api/incidents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title,
      category: 'harmful-output',
      severity: 'P2',
      commander: IC,
      runbookId: 'harmful-output-spike',
    }),
  });
  assert.equal(answer.status, 201, await answer.clone().text());
  return ((await answer.json()) as { id: string }).id;
}

function approvalMessage(channel: string, stepId: string) {
  return slack
    .messages(channel)
    .find(
      (m) =>
        blockText(m.blocks).includes(`"step:${stepId}"`) ||
        blockText(m.blocks).includes(`\\"stepId\\":\\"${stepId}\\"`),
    );
}

function click(
  user: string,
  channel: string,
  messageTs: string,
  action: 'step.approve' | 'step.reject',
  incidentId: string,
  stepId: string,
) {
  return toSlackEndpoint(
    interactionBody(
      blockActionsPayload({
        user_id: user,
        channel_id: channel,
        message_ts: messageTs,
        response_url: slack.responseUrl(`click-${user}`),
        actions: [{ action_id: action, block_id: `step:${stepId}`, value: JSON.stringify({ incidentId, stepId }) }],
      }),
    ),
  );
}

const flagChanges = async (flag: string) =>
  (await readFile(join(dataDir, 'flags.json.changes.jsonl'), 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line.includes(`"${flag}"`));

describe('Slack', () => {
  let incidentId: string;
  let channel: string;

  it('a signed /incident declare and the modal submission open the incident, its channel, and the pinned status message', async () => {
    const command = await toSlackEndpoint(
      slashCommandBody({
        text: 'declare',
        user_id: IC,
        channel_id: 'C0GENERAL',
        channel_name: 'general',
        response_url: slack.responseUrl('declare'),
      }),
    );
    assert.equal(command.status, 200);
    const opened = await eventually(
      () => slack.callsTo('views.open'),
      (calls) => calls.length === 1,
      'the declare modal opens',
    );
    const modal = opened[0]!.args.view as { callback_id: string; private_metadata: string };
    assert.equal(modal.callback_id, 'incident.declare');
    assert.match(blockText(modal), /harmful-output-spike/, 'the runbook library is offered');

    const submitted = await toSlackEndpoint(
      interactionBody(
        viewSubmissionPayload({
          user_id: IC,
          callback_id: 'incident.declare',
          private_metadata: modal.private_metadata,
          values: {
            title: { value: { type: 'plain_text_input', value: 'Toxic replies spike' } },
            runbook: {
              value: {
                type: 'static_select',
                selected_option: { text: { type: 'plain_text', text: 'Harmful' }, value: 'harmful-output-spike' },
              },
            },
            category: {
              value: {
                type: 'static_select',
                selected_option: { text: { type: 'plain_text', text: 'harmful-output' }, value: 'harmful-output' },
              },
            },
            severity: {
              value: {
                type: 'static_select',
                selected_option: { text: { type: 'plain_text', text: 'P2' }, value: 'P2' },
              },
            },
            description: {
              value: { type: 'plain_text_input', value: 'Moderation flags at 5x baseline since the 14:00 deploy' },
            },
            commander: { value: { type: 'users_select', selected_user: IC } },
          },
        }),
      ),
    );
    assert.equal(submitted.status, 200);

    const created = await eventually(
      () => slack.callsTo('conversations.create').filter((c) => c.args.is_private !== true),
      (calls) => calls.length === 1,
      'the incident channel is created',
      30_000,
    );
    const name = String(created[0]!.args.name);
    assert.match(name, /^inc-[0-9a-z]{5}-toxic-replies-spike$/);
    incidentId = `INC-${name.slice(4, 9).toUpperCase()}`;
    channel = [...slack.channels.values()].find((c) => c.name === name)!.id;

    const [invite] = await eventually(
      () => slack.callsTo('conversations.invite').filter((c) => c.args.channel === channel),
      (calls) => calls.length === 1,
      'people are invited',
    );
    const invited = String(invite!.args.users);
    assert.ok(invited.split(',').includes(IC), 'the IC is invited');
    assert.ok(
      invited.split(',').includes(SAFETY_MEMBER),
      'the runbook responders (the Slack user group mapped to safety-oncall) are invited',
    );
    assert.ok(!invited.split(',').includes(IMPOSTOR), 'a user group with the same handle is not');

    const pinned = await eventually(
      () => slack.messages(channel).filter((m) => m.pinned),
      (ms) => ms.length === 1,
      'one pinned status message',
    );
    assert.match(blockText(pinned[0]!.blocks), /Toxic replies spike/);
    assert.match(blockText(pinned[0]!.blocks), /triaging/);
    assert.match(blockText(pinned[0]!.blocks), new RegExp(`<@${IC}>`), 'the IC is mentioned');

    await eventually(
      () => [approvalMessage(channel, 'kill-assistant'), approvalMessage(channel, 'strict-output-filter')],
      (ms) => ms.every(Boolean),
      'one approval request per step',
    );
    assert.match(
      blockText(approvalMessage(channel, 'kill-assistant')!.blocks),
      /step\.approve.*step\.reject/,
      'with Approve and Reject buttons',
    );

    const state = await incident(incidentId);
    assert.equal(state.title, 'Toxic replies spike');
    assert.equal(state.commander, IC);
    assert.equal(state.declaredBy, IC);
    assert.equal(state.channel?.id, channel);
    const recordComments = async () => {
      const { tickets } = JSON.parse(await readFile(join(dataDir, 'tickets.json'), 'utf8')) as {
        tickets: { key: string; comments?: { text: string }[] }[];
      };
      return tickets.find((t) => t.key === state.record?.key)?.comments?.map((c) => c.text) ?? [];
    };
    const comments = await eventually(
      recordComments,
      (texts) => texts.some((t) => t.includes(`#${name}`)),
      'the incident record links the channel',
    );
    assert.ok(comments.some((t) => t.includes(`https://slack.com/app_redirect?channel=${channel}`)));
    const told = await eventually(
      () => slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === IC),
      (calls) => calls.length > 0,
      'the declarer hears the id',
    );
    assert.match(String(told[0]!.args.text), new RegExp(incidentId));
  });

  it('refuses another user with a reason and changes nothing; the IC approves once, the flag flips once, and the message shows who decided', async () => {
    const request = approvalMessage(channel, 'kill-assistant')!;
    assert.equal((await click(OTHER, channel, request.ts, 'step.approve', incidentId, 'kill-assistant')).status, 200);
    const refusal = await eventually(
      () => slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === OTHER),
      (calls) => calls.length === 1,
      'the refused clicker is told',
    );
    assert.match(
      String(refusal[0]!.args.text),
      /U0OTHER may not approve step "kill-assistant": only the incident commander may/,
    );
    await eventually(
      () => incident(incidentId),
      (s) => s.timeline.some((e) => e.type === 'approval.refused' && e.actor === OTHER),
      'the refusal is on the timeline',
    );
    assert.equal((await incident(incidentId)).steps.find((s) => s.id === 'kill-assistant')!.status, 'pending');
    assert.equal((await flagChanges('ai-assistant-enabled')).length, 0);

    assert.equal((await click(IC, channel, request.ts, 'step.approve', incidentId, 'kill-assistant')).status, 200);
    const verified = await eventually(
      () => incident(incidentId),
      (s) => s.steps.find((x) => x.id === 'kill-assistant')!.status === 'verified',
      'the step runs and is verified',
    );
    assert.equal(verified.steps.find((s) => s.id === 'kill-assistant')!.decision?.by, IC);
    const updated = await eventually(
      () => slack.messages(channel).find((m) => m.ts === request.ts)!,
      (m) =>
        /Approved by <@U0IC>/.test(blockText(m.blocks)) &&
        /Verified: flag ai-assistant-enabled is off/.test(blockText(m.blocks)),
      'the request shows the decision',
    );
    assert.doesNotMatch(blockText(updated.blocks), /step\.approve/, 'the buttons are gone');
    assert.equal(updated.ts, request.ts, 'updated in place');

    // A second click (a double click, or a late colleague) is refused: the step is no longer pending.
    await click(IC, channel, request.ts, 'step.approve', incidentId, 'kill-assistant');
    await eventually(
      () =>
        slack
          .callsTo('chat.postEphemeral')
          .filter((c) => c.args.user === IC && /not pending/.test(String(c.args.text))),
      (c) => c.length === 1,
      'the late click is told why',
    );
    assert.equal((await flagChanges('ai-assistant-enabled')).length, 1, 'the flag was changed exactly once');
    assert.equal(
      JSON.parse(await readFile(join(dataDir, 'flags.json'), 'utf8')).flagValues['ai-assistant-enabled'],
      false,
    );

    const status = await eventually(
      () => slack.messages(channel).find((m) => m.pinned)!,
      (m) => /mitigated/.test(blockText(m.blocks)),
      'the pinned status follows the incident',
    );
    assert.ok(status.updates >= 1, 'the status message is updated in place');
  });

  it('takes a member of the Slack user group a runbook names as an approver, asks a rejecter why; the HTTP API cannot claim the group', async () => {
    const viaApi = await fetch(`${product.url}/api/incidents/${incidentId}/approvals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        stepId: 'strict-output-filter',
        decision: 'approve',
        actor: 'mallory',
        memberOf: ['safety-oncall'],
      }),
    });
    assert.equal(viaApi.status, 403, 'memberOf from an API caller is ignored');

    const request = approvalMessage(channel, 'strict-output-filter')!;
    await click(IMPOSTOR, channel, request.ts, 'step.approve', incidentId, 'strict-output-filter');
    await eventually(
      () => slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === IMPOSTOR),
      (calls) => calls.length === 1,
      'a member of a look-alike user group is refused',
    );
    assert.equal((await incident(incidentId)).steps.find((s) => s.id === 'strict-output-filter')!.status, 'pending');
    const opensBefore = slack.callsTo('views.open').length;
    await click(SAFETY_MEMBER, channel, request.ts, 'step.reject', incidentId, 'strict-output-filter');
    const opened = await eventually(
      () => slack.callsTo('views.open'),
      (calls) => calls.length === opensBefore + 1,
      'the reject modal opens',
    );
    const modal = opened.at(-1)!.args.view as { callback_id: string; private_metadata: string };
    assert.equal(modal.callback_id, 'step.reject');
    const noReason = await toSlackEndpoint(
      interactionBody(
        viewSubmissionPayload({
          user_id: SAFETY_MEMBER,
          callback_id: 'step.reject',
          private_metadata: modal.private_metadata,
          values: { reason: { value: { type: 'plain_text_input', value: ' ' } } },
        }),
      ),
    );
    assert.equal(
      ((await noReason.json()) as { response_action: string }).response_action,
      'errors',
      'a reason is required',
    );
    await toSlackEndpoint(
      interactionBody(
        viewSubmissionPayload({
          user_id: SAFETY_MEMBER,
          callback_id: 'step.reject',
          private_metadata: modal.private_metadata,
          values: { reason: { value: { type: 'plain_text_input', value: 'The kill switch already stops it' } } },
        }),
      ),
    );
    const state = await eventually(
      () => incident(incidentId),
      (s) => s.steps.find((x) => x.id === 'strict-output-filter')!.status === 'rejected',
      'the user group member rejected it',
    );
    assert.deepEqual(
      [
        state.steps.find((s) => s.id === 'strict-output-filter')!.decision?.by,
        state.steps.find((s) => s.id === 'strict-output-filter')!.decision?.reason,
      ],
      [SAFETY_MEMBER, 'The kill switch already stops it'],
    );
    await eventually(
      () => slack.messages(channel).find((m) => m.ts === request.ts)!,
      (m) => /Rejected by <@U0SAM>.*The kill switch already stops it/.test(blockText(m.blocks)),
      'the request shows the rejection',
    );
    assert.equal(
      JSON.parse(await readFile(join(dataDir, 'flags.json'), 'utf8')).flagValues['output-safety-filter-level'],
      'standard',
      'a rejected step changes nothing',
    );
  });

  it('answers /incident status and sev in the incident channel, knowing the incident from the channel', async () => {
    const name = slack.channels.get(channel)!.name;
    await toSlackEndpoint(
      slashCommandBody({
        text: 'status',
        user_id: OTHER,
        channel_id: channel,
        channel_name: name,
        response_url: slack.responseUrl('status'),
      }),
    );
    const status = await eventually(
      () => slack.responses.filter((r) => r.path.endsWith('/status')),
      (r) => r.length === 1,
      'status answers',
    );
    assert.equal(status[0]!.body.response_type, 'ephemeral');
    assert.match(blockText(status[0]!.body.blocks), new RegExp(`${incidentId} \\[P2\\] Toxic replies spike`));

    await toSlackEndpoint(
      slashCommandBody({
        text: 'sev P1',
        user_id: IC,
        channel_id: channel,
        channel_name: name,
        response_url: slack.responseUrl('sev'),
      }),
    );
    const sev = await eventually(
      () => slack.responses.filter((r) => r.path.endsWith('/sev')),
      (r) => r.length === 1,
      'sev answers',
    );
    assert.equal(sev[0]!.body.response_type, 'in_channel', 'a severity change concerns the whole channel');
    assert.equal((await incident(incidentId)).severity, 'P1');

    // U0DANA is dana in the directory, and dana is an incident commander: one person in every entry point.
    await toSlackEndpoint(
      slashCommandBody({
        text: 'sev P2',
        user_id: DANA,
        channel_id: channel,
        channel_name: name,
        response_url: slack.responseUrl('sev-dana'),
      }),
    );
    await eventually(
      () => slack.responses.filter((r) => r.path.endsWith('/sev-dana')),
      (r) => r.length === 1,
      'dana is answered',
    );
    const changed = (await incident(incidentId)).timeline.filter((e) => e.type === 'severity.changed').at(-1);
    assert.deepEqual([changed?.actor, changed?.via, changed?.message], ['dana', 'slack', 'Severity P1 → P2']);
    await toSlackEndpoint(
      slashCommandBody({
        text: 'sev P1',
        user_id: DANA,
        channel_id: channel,
        channel_name: name,
        response_url: slack.responseUrl('sev-dana-2'),
      }),
    );
    await eventually(
      () => slack.responses.filter((r) => r.path.endsWith('/sev-dana-2')),
      (r) => r.length === 1,
      'dana is answered again',
    );
    await eventually(
      () => slack.messages(channel).find((m) => m.pinned)!,
      (m) => /\[P1\]/.test(blockText(m.blocks)),
      'the status message shows P1',
    );
  });

  it('posts /incident update from the incident channel: the channel sees it, the pinned status shows it; others are refused', async () => {
    const name = slack.channels.get(channel)!.name;
    await toSlackEndpoint(
      slashCommandBody({
        text: 'update Someone else writing',
        user_id: OTHER,
        channel_id: channel,
        channel_name: name,
        response_url: slack.responseUrl('update-other'),
      }),
    );
    const refused = await eventually(
      () => slack.responses.filter((r) => r.path.endsWith('/update-other')),
      (r) => r.length === 1,
      'the other user is answered',
    );
    assert.equal(refused[0]!.body.response_type, 'ephemeral');
    assert.match(refused[0]!.body.text, /may not post a status update .*only the incident commander/);

    await toSlackEndpoint(
      slashCommandBody({
        text: 'update Filter deployed; toxic replies back to baseline',
        user_id: IC,
        channel_id: channel,
        channel_name: name,
        response_url: slack.responseUrl('update'),
      }),
    );
    const posted = await eventually(
      () => slack.responses.filter((r) => r.path.endsWith('/update')),
      (r) => r.length === 1,
      'the update is answered',
    );
    assert.equal(posted[0]!.body.response_type, 'in_channel');
    assert.match(posted[0]!.body.text, new RegExp(`status update U1 of ${incidentId}: Filter deployed`));
    const state = await incident(incidentId);
    assert.deepEqual(
      state.updates?.map((u) => [u.id, u.by, u.via, u.text]),
      [['U1', IC, 'slack', 'Filter deployed; toxic replies back to baseline']],
    );
    await eventually(
      () => slack.messages(channel).find((m) => m.pinned)!,
      (m) => /Latest update\* \(U1/.test(blockText(m.blocks)) && /Next status update due/.test(blockText(m.blocks)),
      'the pinned status shows the update and the next due',
    );
  });

  it('/incident update alone opens the update form; its submission posts the update with impact and next time', async () => {
    const name = slack.channels.get(channel)!.name;
    const opensBefore = slack.callsTo('views.open').length;
    await toSlackEndpoint(
      slashCommandBody({
        text: 'update',
        user_id: IC,
        channel_id: channel,
        channel_name: name,
        response_url: slack.responseUrl('update-form'),
      }),
    );
    const opened = await eventually(
      () => slack.callsTo('views.open'),
      (calls) => calls.length === opensBefore + 1,
      'the update form opens',
    );
    const modal = opened.at(-1)!.args.view as { callback_id: string; private_metadata: string };
    assert.equal(modal.callback_id, 'incident.update');
    const submit = (values: Record<string, Record<string, object>>, user = IC) =>
      toSlackEndpoint(
        interactionBody(
          viewSubmissionPayload({
            user_id: user,
            callback_id: 'incident.update',
            private_metadata: modal.private_metadata,
            values,
          }),
        ),
      );
    const internal = {
      type: 'static_select',
      selected_option: { text: { type: 'plain_text', text: 'internal' }, value: 'internal' },
    };
    const empty = await submit({
      text: { value: { type: 'plain_text_input', value: '  ' } },
      next: { value: { type: 'plain_text_input', value: 'soon' } },
      visibility: { value: internal },
    });
    assert.deepEqual(await empty.json(), {
      response_action: 'errors',
      errors: { text: 'Write the update', next: 'A duration such as 30m or 2h, not "soon"' },
    });

    const toldBefore = slack.callsTo('chat.postEphemeral').length;
    await submit(
      { text: { value: { type: 'plain_text_input', value: 'Not mine to say' } }, visibility: { value: internal } },
      OTHER,
    );
    const told = await eventually(
      () => slack.callsTo('chat.postEphemeral').slice(toldBefore),
      (calls) => calls.length === 1,
      'the other user is told',
    );
    assert.equal(told[0]!.args.user, OTHER);
    assert.match(
      String(told[0]!.args.text),
      /Not posted: .*may not post a status update .*only the incident commander/,
    );

    const before = Date.now();
    const posted = await submit({
      text: { value: { type: 'plain_text_input', value: 'Rollback done; watching the rate' } },
      impact: { value: { type: 'plain_text_input', value: 'Some replies were toxic for 20 minutes' } },
      next: { value: { type: 'plain_text_input', value: '30m' } },
      visibility: { value: internal },
    });
    assert.equal(posted.status, 200);
    const update = await eventually(
      async () => (await incident(incidentId)).updates?.at(-1),
      (u) => u?.text === 'Rollback done; watching the rate',
      'the update is posted',
    );
    assert.deepEqual(
      [update!.by, update!.via, update!.visibility, update!.impact],
      [IC, 'slack', 'internal', 'Some replies were toxic for 20 minutes'],
    );
    const nextIn = Date.parse(update!.nextUpdateAt!) - before;
    assert.ok(nextIn >= 30 * 60_000 && nextIn < 31 * 60_000, `next update in 30 minutes: ${update!.nextUpdateAt}`);
    await eventually(
      () =>
        slack.messages(channel).filter((m) => /posted internal status update U\d+ .*Rollback done/.test(m.text ?? '')),
      (m) => m.length === 1,
      'the channel is told',
    );
  });

  it('refuses forged and stale requests with 401 and starts nothing', async () => {
    const before = slack.callsTo('views.open').length;
    const body = slashCommandBody({
      text: 'declare',
      user_id: IC,
      channel_id: 'C0GENERAL',
      response_url: slack.responseUrl('forged'),
    });
    const forged = await toSlackEndpoint(body, { signature: 'v0=' + 'ab'.repeat(32) });
    assert.equal(forged.status, 401);
    assert.match(((await forged.json()) as { error: string }).error, /signature/i);
    const stale = await toSlackEndpoint(body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.status, 401);
    assert.match(((await stale.json()) as { error: string }).error, /stale|timestamp|old/i);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(slack.callsTo('views.open').length, before, 'no modal opened');
  });

  it('retries a post Slack answers with 429 or 500, and the incident goes on', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    slack.failNext('pins.add', { status: 500 });
    const id = await declareByApi('Rate-limited Slack');
    const name = await eventually(
      () =>
        slack
          .callsTo('conversations.create')
          .map((c) => String(c.args.name))
          .find((n) => n.startsWith(id.toLowerCase())),
      Boolean,
      'its channel',
    );
    const ch = [...slack.channels.values()].find((c) => c.name === name)!.id;
    const pinned = await eventually(
      () => slack.messages(ch).filter((m) => m.pinned),
      (ms) => ms.length === 1,
      'the status message is posted and pinned in the end',
      30_000,
    );
    assert.match(blockText(pinned[0]!.blocks), /Rate-limited Slack/);
    const posts = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === ch);
    assert.ok(
      posts[1]!.at - posts[0]!.at >= 900,
      `the retry waited for Retry-After (${posts[1]!.at - posts[0]!.at} ms)`,
    );
    assert.equal(
      slack
        .messages(ch)
        .filter((m) => blockText(m.blocks).includes('Rate-limited Slack') && /header/.test(blockText(m.blocks))).length,
      1,
      'no duplicate status message',
    );
  });

  it('contains while Slack is down, and says so on the timeline', async () => {
    slack.setDown(true);
    try {
      const id = await declareByApi('Slack is down');
      const approved = await fetch(`${product.url}/api/incidents/${id}/approvals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ stepId: 'kill-assistant', decision: 'approve', actor: IC }),
      });
      assert.equal(approved.status, 200);
      await eventually(
        () => incident(id),
        (s) => s.steps.find((x) => x.id === 'kill-assistant')!.status === 'verified',
        'containment is verified with Slack down',
        10_000,
      );
      const failed = await eventually(
        () => incident(id),
        (s) => s.timeline.some((e) => e.type === 'chat.failed'),
        'the timeline says Slack failed',
        60_000,
      );
      assert.match(
        failed.timeline.find((e) => e.type === 'chat.failed')!.message,
        /Could not open the incident channel/,
      );
      assert.doesNotMatch(JSON.stringify(failed.timeline), /xoxb-/, 'the token is never on the timeline');
    } finally {
      slack.setDown(false);
    }
  });
});
