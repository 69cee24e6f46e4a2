// Records the stored histories that test/replay.test.ts replays: `npm run record-history`.
// Re-record only before the first release, or for a new scenario; a change that breaks an existing
// history must go behind patched() instead, because incidents with that history are running.
// `npm run record-history -- reminders` records one scenario only (incident, reminders, registry, slack, alerts, continued, updates, evidence).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { SlackChat } from '../../integrations/slack/slack-chat.js';
import { SlackUsergroups } from '../../integrations/slack/usergroups.js';
import { slackWebClient } from '../../integrations/slack/web-client.js';
import { startSlackFake } from './slack-fake.js';
import { createAlertWebhook } from '../../app/alerts/alert-webhook.js';
import { alertIntakeWorkflowId } from '../../app/alerts/routing.js';
import { alertGroupQuery, approvalRefusedSignal } from '../../workflows/messages.js';
import { eventually } from './eventually.js';
import { reminderDigestWorkflowId } from '../../workflows/reminder-digest.js';
import { fixturesDir } from './paths.js';
import { startTemporalHarness } from './temporal.js';
import { withTimeSkipping } from './time-skipping.js';

const DAY = 86_400_000;
const only = process.argv[2];

async function save(file: string, handle: Pick<WorkflowHandle, 'workflowId' | 'fetchHistory'>): Promise<void> {
  const history = await handle.fetchHistory();
  const dir = join(fixturesDir, 'histories');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, file),
    JSON.stringify({ workflowId: handle.workflowId, history: JSON.parse(historyToJSON(history)) }, null, 2) + '\n',
  );
  console.log(`Recorded ${history.events?.length} events of ${handle.workflowId} to ${file}`);
}

if (!only || only === 'incident') await recordIncident();
if (!only || only === 'reminders') await recordReminders();
if (!only || only === 'registry') await recordRegistryRollback();
if (!only || only === 'slack') await recordSlackChannel();
if (!only || only === 'alerts') await recordAlertIntake();
if (!only || only === 'continued') await recordContinued();
if (!only || only === 'updates') await recordStatusUpdates();
if (!only || only === 'evidence') await recordEvidence();

/** A whole incident on the dev server: refusal, approval, rejection, actions, waiver, postmortem, undo. */
async function recordIncident(): Promise<void> {
  const harness = await startTemporalHarness();
  try {
    const service = harness.service();
    const { id } = await service.declare({
      title: 'Injected web page makes the assistant send e-mail',
      category: 'prompt-injection',
      severity: 'P2',
      description:
        'A page the browse tool read told the assistant to e-mail conversation history to an outside address.',
      declaredBy: 'alice',
    });
    await service.decide(id, { stepId: 'disable-send-email', decision: 'approve' }, 'mallory').catch(() => undefined);
    await service.completeTriage(id, 'capture-payload', 'alice', 'saved to the evidence bucket');
    await service.setSeverity(id, 'alice', 'P1');
    await service.assignCommander(id, 'alice', 'bob');
    await service.decide(id, { stepId: 'disable-send-email', decision: 'approve' }, 'sam');
    await service.decide(id, { stepId: 'kill-assistant', decision: 'reject', reason: 'tool cut is enough' }, 'bob');
    await service.addAction(
      id,
      { kind: 'detect', title: 'Alert on outbound e-mail to new domains', owner: 'dave' },
      'bob',
    );
    await service.resolve(id, 'bob', 'send-email disabled; browse tool hardened against the injected page.');
    await service.addAction(
      id,
      { kind: 'prevent', title: 'Strip instructions from browsed pages', owner: 'carol', dueAt: '2099-01-31' },
      'bob',
    );
    await service.waiveAction(id, 'A1', 'carol', 'not mine').catch(() => undefined);
    await service.waiveAction(id, 'A1', 'bob', 'covered by the e-mail allow-list');
    await service.closeAction(id, 'A2', 'carol');
    await service.completePostmortem(id, 'bob');
    await service.decide(id, { stepId: 'undo-disable-send-email', decision: 'approve' }, 'bob');
    const handle = harness.client.workflow.getHandle(id);
    await handle.result();
    await save('prompt-injection-refuse-approve-reject-actions-postmortem-undo.json', handle);
  } finally {
    await harness.stop();
  }
}

/** An action nagged for days on the time-skipping server, then closed, and its owner's digest running out. */
async function recordReminders(): Promise<void> {
  await withTimeSkipping(async ({ env, service }) => {
    const due = new Date((await env.currentTimeMs()) + 4 * DAY).toISOString().slice(0, 10);
    const { id } = await service.declare({
      title: 'Tool misuse',
      category: 'excessive-agency',
      severity: 'P2',
      declaredBy: 'alice',
    });
    await service.addAction(id, { kind: 'prevent', title: 'Per-tool allow-lists', owner: 'dave', dueAt: due }, 'alice');
    await service.addAction(id, { kind: 'detect', title: 'Alert on tool bursts', owner: 'dave', dueAt: due }, 'alice');
    await service.resolve(id, 'alice', 'tools off');
    await env.sleep(7 * DAY + 3_600_000); // reminders before, on and after the due day; the IC told at +2d
    await service.closeAction(id, 'A1', 'dave');
    await service.waiveAction(id, 'A2', 'alice', 'A1 covers it');
    const digest = env.client.workflow.getHandle(reminderDigestWorkflowId('user:dave'));
    await env.sleep(2 * DAY); // past midnight: the digest has nothing left and ends
    await digest.result();
    await save('corrective-action-reminded-escalated-closed.json', env.client.workflow.getHandle(`${id}-A1`));
    await save('reminder-digest-two-actions-then-idle.json', digest);
  });
}

/**
 * Status updates on the time-skipping server: two on time (one by a communicator, one with a promise),
 * a refused one, a missed window (overdue, reminder), a late one, a severity change, each delivered
 * channel by channel; then resolved.
 */
async function recordStatusUpdates(): Promise<void> {
  await withTimeSkipping(async ({ env, service }) => {
    const { id } = await service.declare({
      title: 'Harmful answers spreading',
      category: 'harmful-output',
      severity: 'P1',
      declaredBy: 'alice',
    });
    await env.sleep('40m');
    await service.postUpdate(id, 'alice', { text: 'Investigating', impact: 'Some users saw unsafe answers' });
    await service.postUpdate(id, 'bob', { text: 'not the IC' }).catch(() => undefined);
    await env.sleep('50m');
    const next = new Date((await env.currentTimeMs()) + 45 * 60_000).toISOString();
    await service.postUpdate(id, { actor: 'priya', via: 'oidc' }, { text: 'Filter deployed', nextUpdateAt: next });
    await env.sleep('61m'); // the promise (2:15) missed: overdue, the IC reminded
    await service.postUpdate(id, 'alice', { text: 'Rate back to normal' });
    await service.setSeverity(id, 'alice', 'P2');
    await env.sleep('10m');
    await service.resolve(id, 'alice', 'filter holds');
    await env.sleep('1m');
    await save('status-updates-on-time-overdue-late-resolved.json', env.client.workflow.getHandle(id));
  });
}

/**
 * Evidence before containment: the required step's flag cannot be read (missing from the flag file), so the
 * approved step is held; a refused override, then the IC's; the other steps captured and rejected.
 */
async function recordEvidence(): Promise<void> {
  const harness = await startTemporalHarness();
  try {
    const flagsFile = JSON.parse(await readFile(harness.flags.path, 'utf8')) as {
      flagValues?: Record<string, unknown>;
      flags?: Record<string, unknown>;
    };
    const key = 'retrieval-source.customer-tickets.enabled';
    const complete = JSON.stringify(flagsFile);
    delete flagsFile.flagValues?.[key];
    delete flagsFile.flags?.[key];
    await writeFile(harness.flags.path, JSON.stringify(flagsFile));
    const service = harness.service();
    const { id } = await service.declare({
      title: 'Support bot quotes other customers’ tickets',
      category: 'data-leak',
      severity: 'P2',
      declaredBy: 'alice',
    });
    await eventually(
      () => service.get(id),
      (s) => (s.evidence ?? []).length === s.steps.length,
      'evidence at every approval request',
    );
    await service.decide(id, { stepId: 'disable-ticket-source', decision: 'approve' }, 'alice');
    await service.overrideEvidence(id, 'disable-ticket-source', 'mallory', 'let me').catch(() => undefined);
    await writeFile(harness.flags.path, complete);
    await service.overrideEvidence(id, 'disable-ticket-source', 'alice', 'leak ongoing; flag file restored');
    await service.decide(id, { stepId: 'stop-prompt-logging', decision: 'reject', reason: 'logs needed' }, 'alice');
    await service.decide(id, { stepId: 'strict-output-filter', decision: 'reject', reason: 'not needed' }, 'alice');
    await service.resolve(id, 'alice', 'ticket source off');
    await service.decide(
      id,
      { stepId: 'undo-disable-ticket-source', decision: 'reject', reason: 'stays off until fixed' },
      'alice',
    );
    await service.completePostmortem(id, 'alice');
    const handle = harness.client.workflow.getHandle(id);
    await handle.result();
    await save('evidence-held-refused-overridden-closed.json', handle);
  } finally {
    await harness.stop();
  }
}

/** A P1 whose page follows it (acknowledged, resolved), with a model-registry rollback and its record ticket. */
async function recordRegistryRollback(): Promise<void> {
  const harness = await startTemporalHarness();
  try {
    await writeFile(
      join(harness.runbooks.dir, 'registry-rollback.yaml'),
      `id: registry-rollback
title: Registry rollback
description: Moves the champion alias back.
containment:
  - { id: rollback-champion, kind: model-rollback, title: Serve the previous assistant model, model: assistant-chat, to: previous }
notifications:
  P1: { notify: [product-leads], page: [ml-platform] }
`,
    );
    await writeFile(
      harness.models.path,
      JSON.stringify({ models: { 'assistant-chat': { versions: ['1', '2', '3'], aliases: { champion: '3' } } } }),
    );
    const service = harness.service();
    const { id } = await service.declare({
      title: 'New model fails jailbreak evals',
      category: 'model-regression',
      severity: 'P1',
      declaredBy: 'alice',
      runbookId: 'registry-rollback',
    });
    await service.decide(id, { stepId: 'rollback-champion', decision: 'approve' }, 'alice');
    await service.resolve(id, 'alice', 'champion back on version 2');
    await service.decide(
      id,
      { stepId: 'undo-rollback-champion', decision: 'reject', reason: 'version 3 stays out' },
      'alice',
    );
    await service.completePostmortem(id, 'alice');
    const handle = harness.client.workflow.getHandle(id);
    await handle.result();
    await save('model-registry-rollback-paged-record-closed.json', handle);
  } finally {
    await harness.stop();
  }
}

/** An incident with its Slack channel (against the Slack fake): status and approval messages through to closed. */
async function recordSlackChannel(): Promise<void> {
  const slack = await startSlackFake();
  const client = slackWebClient({ botToken: 'xoxb-test-token', apiUrl: slack.apiUrl }, 'durable');
  const harness = await startTemporalHarness({
    chat: new SlackChat(client, new SlackUsergroups(client), async () => ({ 'safety-oncall': 'S0SAFETY' })),
  });
  try {
    const service = harness.service();
    const { id } = await service.declare({
      title: 'Toxic replies spike',
      category: 'harmful-output',
      severity: 'P2',
      commander: 'U0IC',
      declaredBy: 'U0IC',
      runbookId: 'harmful-output-spike',
    });
    await service.decide(id, { stepId: 'kill-assistant', decision: 'approve' }, 'U0OTHER').catch(() => undefined);
    await service.decide(id, { stepId: 'kill-assistant', decision: 'approve' }, 'U0IC');
    await service.decide(
      id,
      { stepId: 'strict-output-filter', decision: 'reject', reason: 'kill switch is enough' },
      { actor: 'U0SAM', via: 'slack', memberOf: ['safety-oncall'] },
    );
    await service.resolve(id, 'U0IC', 'Assistant off until the filter is fixed.');
    await service.decide(id, { stepId: 'undo-kill-assistant', decision: 'approve' }, 'U0IC');
    await service.completePostmortem(id, 'U0IC');
    const handle = harness.client.workflow.getHandle(id);
    await handle.result();
    await save('slack-channel-linked-on-record-approve-reject-undo-closed.json', handle);
  } finally {
    await harness.stop();
    await slack.close();
  }
}

/** An alert intake: a group's incident opened, repeats batched, the alert resolved, the incident closed, a new firing opening its repeat. */
async function recordAlertIntake(): Promise<void> {
  const harness = await startTemporalHarness();
  try {
    const webhook = createAlertWebhook({
      client: harness.client,
      taskQueue: harness.taskQueue,
      runbooks: harness.runbooks,
      loopbackOnly: true,
      commander: 'alice',
    });
    const service = harness.service();
    const groupKey = '{}:{alertname="ToolCallSpike"}';
    const intake = harness.client.workflow.getHandle(alertIntakeWorkflowId(groupKey));
    const send = async (status: 'firing' | 'resolved') => {
      const body = {
        alerts: [
          {
            status,
            id: 'tool-call-spike',
            groupKey,
            labels: { alertname: 'ToolCallSpike', severity: 'P3' },
            annotations: { summary: 'send_email calls at 9x baseline' },
          },
        ],
      };
      const answer = await webhook('generic', {}, Buffer.from(JSON.stringify(body)));
      if (answer.status !== 202) throw new Error(`alert refused: ${JSON.stringify(answer.body)}`);
    };
    const counted = (id: string, n: number) =>
      eventually(
        () => service.get(id),
        (s) => s.alerts?.received === n,
        `${n} alerts counted`,
        20_000,
      );
    await send('firing');
    const first = (await eventually(
      () => intake.query(alertGroupQuery, groupKey),
      (g) => g?.incidentId !== undefined,
      'the incident',
    ))!.incidentId!;
    await Promise.all(Array.from({ length: 6 }, () => send('firing')));
    await counted(first, 7);
    await send('resolved');
    await counted(first, 8);
    await service.resolve(first, 'alice', 'Tool calls back to baseline.');
    await service.completePostmortem(first, 'alice');
    await eventually(
      () => intake.query(alertGroupQuery, groupKey),
      (g) => g?.lastIncidentId === first,
      'the intake told of the closure',
    );
    await send('firing');
    await eventually(
      () => intake.query(alertGroupQuery, groupKey),
      (g) => g?.incidentId !== undefined,
      'the repeat incident',
    );
    await save('alert-intake-open-batched-resolved-closed-repeat.json', intake);
  } finally {
    await harness.stop();
  }
}

/** An incident that continued as new: the first run (declared, refusals) and the last (an action closed, resolved, undo decided). */
async function recordContinued(): Promise<void> {
  const harness = await startTemporalHarness();
  try {
    const service = harness.service({ continueAfterEvents: 60 });
    const { id } = await service.declare({
      title: 'Injected page makes the assistant send e-mail',
      category: 'prompt-injection',
      severity: 'P1',
      declaredBy: 'alice',
    });
    const handle = harness.client.workflow.getHandle(id);
    const refuse = async (count: number) => {
      for (let i = 0; i < count; i++)
        await handle.signal(approvalRefusedSignal, {
          actor: `mallory-${i % 3}`,
          decision: 'approve',
          stepId: 'kill-assistant',
          reason: 'only the IC may approve step "kill-assistant"',
        });
    };
    await refuse(60);
    await service.decide(id, { stepId: 'disable-send-email', decision: 'approve' }, 'sam');
    await service.addAction(
      id,
      { kind: 'prevent', title: 'Strip instructions from fetched pages', owner: 'carol' },
      'alice',
    );
    await refuse(60);
    await service.setSeverity(id, 'alice', 'P2');
    await service.closeAction(id, 'A1', 'carol');
    await service.resolve(id, 'alice', 'Tool disabled; the page is blocked');
    await service.completePostmortem(id, 'alice');
    await service.decide(id, { stepId: 'undo-disable-send-email', decision: 'reject', reason: 'keep it off' }, 'sam');
    await handle.result();
    const runs: { runId: string; at: number }[] = [];
    for await (const info of harness.client.workflow.list({ query: `WorkflowId = '${id}'` }))
      runs.push({ runId: info.runId, at: info.startTime.getTime() });
    runs.sort((a, b) => a.at - b.at);
    if (runs.length < 3)
      throw new Error(`expected the incident to continue as new at least twice, saw ${runs.length} runs`);
    await save('continued-first-run-declared-refusals.json', harness.client.workflow.getHandle(id, runs[0]!.runId));
    await save(
      'continued-last-run-action-closed-resolved-undo.json',
      harness.client.workflow.getHandle(id, runs.at(-1)!.runId),
    );
  } finally {
    await harness.stop();
  }
}
