// The Slack app: `/incident`, the declare modal, and the Approve / Reject buttons. Every listener acks
// first (Slack wants an answer within 3 s) and does the Temporal work after; a failure reaches the
// person as a message they alone see. Who may decide is the workflow's call, never this file's.
import bolt, { type App as BoltApp, type Receiver } from '@slack/bolt';
import {
  ACTION_APPROVE,
  ACTION_REJECT,
  declareModal,
  esc,
  rejectModal,
  statusMessage,
  updateModal,
  VIEW_DECLARE,
  VIEW_REJECT,
  VIEW_UPDATE,
  who,
  type StepRef,
} from '../../integrations/slack/blocks.js';
import { incidentOfChannel } from '../../integrations/slack/slack-chat.js';
import type { SlackUsergroups } from '../../integrations/slack/usergroups.js';
import { slackWebClient, type SlackConnection } from '../../integrations/slack/web-client.js';
import { statusView } from '../../workflows/incident/chat-views.js';
import { CATEGORIES, SEVERITIES, type Category, type Severity } from '../../workflows/types.js';
import { durationMs } from '../../runbooks/duration.js';
import { IncidentError } from '../incident-error.js';
import { HttpError, parseWith } from '../http/json.js';
import { classifyBody } from '../http/obligation-schemas.js';
import type { IncidentService } from '../incident-service.js';
import type { Directory } from '../../runbooks/directory.js';
import { inDirectory } from '../identity/directory-lookup.js';
import type { Logger } from '../../integrations/log.js';
import { COMMAND_HELP, parseIncidentCommand } from './incident-command.js';

const { App, LogLevel } = bolt;

export interface SlackAppOptions extends SlackConnection {
  service: IncidentService;
  usergroups: SlackUsergroups;
  /** groups.yaml `slack:` as it is now: approver group name → Slack user group id. */
  usergroupIds: () => Promise<Record<string, string>>;
  /** The people directory: a Slack user acts as their directory id, the same person as in every other entry point. */
  directory: () => Promise<Directory>;
  log: Logger;
  /** The HTTP receiver (POST /slack/events), or Bolt's Lambda receiver; Socket Mode when `appToken` is given instead. */
  receiver?: Receiver;
  appToken?: string;
}

export function createSlackApp(options: SlackAppOptions): BoltApp {
  const { service, log } = options;
  const client = slackWebClient(options, 'interactive');
  const app = new App({
    // Not `token`: Bolt would call auth.test at construction, and a Slack outage at start-up would
    // then take the whole process down (unhandled rejection) or leave every later request unanswered.
    authorize: botIdentity(client, options.botToken),
    ...(options.receiver ? { receiver: options.receiver } : { socketMode: true, appToken: options.appToken! }),
    logLevel: LogLevel.ERROR,
    clientOptions: {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/` } : {}),
      retryConfig: { retries: 2, factor: 2, minTimeout: 300, maxTimeout: 2_000 },
    },
  });

  /** Tells one person something in a channel, or in their DM with the app when the channel will not do. */
  const tell = async (user: string, channel: string | undefined, text: string) => {
    try {
      if (channel) return void (await client.chat.postEphemeral({ channel, user, text }));
    } catch {
      // not in that channel (or it is gone): the DM below still reaches them
    }
    await client.chat
      .postMessage({ channel: user, text })
      .catch((err: Error) => log.warn('slack: could not tell a user', { user, error: err.message }));
  };
  const failure = (err: unknown) => {
    if (err instanceof IncidentError || (err instanceof HttpError && err.status < 500))
      return `:warning: ${esc(err.message)}`;
    log.error('slack: request failed', { error: (err as Error).message });
    return ':warning: That did not work (the server log says why); try again in a moment.';
  };

  app.command('/incident', async ({ command, ack, respond }) => {
    await ack();
    const parsed = parseIncidentCommand(command.text ?? '');
    const ephemeral = (text: string, extra: object = {}) => respond({ response_type: 'ephemeral', text, ...extra });
    const toChannel = (text: string) => respond({ response_type: 'in_channel', text });
    try {
      if (parsed.kind === 'declare') {
        const runbooks = await service.runbooks();
        await client.views.open({
          trigger_id: command.trigger_id,
          view: declareModal(runbooks, command.channel_id) as never,
        });
        return;
      }
      if (parsed.kind === 'help') return void (await ephemeral(COMMAND_HELP));
      if (parsed.kind === 'invalid') return void (await ephemeral(parsed.message));
      if (parsed.kind === 'list') {
        const open = await service.list();
        const lines = open.map(
          (i) => `• *${i.id}* [${i.severity}] ${esc(i.title)}: ${i.status}, IC ${who(i.commander ?? '?')}`,
        );
        return void (await ephemeral(lines.length ? `*Open incidents*\n${lines.join('\n')}` : 'No open incidents.'));
      }
      const incidentId = parsed.incidentId ?? incidentOfChannel(command.channel_name);
      if (!incidentId)
        return void (await ephemeral(
          `Which incident? This is not an incident channel: add the id, e.g. \`/incident ${command.text.trim() || 'status'} INC-7K3QX\`.`,
        ));
      const actor = command.user_id;
      const bySlack = { actor: await personOf(actor), via: 'slack' as const };
      switch (parsed.kind) {
        case 'status': {
          const state = await service.get(incidentId);
          const message = statusMessage(statusView(state, state.steps.filter((s) => s.status === 'pending').length));
          return void (await ephemeral(message.text, { blocks: message.blocks }));
        }
        case 'actions': {
          const { actions } = await service.get(incidentId);
          const lines = actions.map(
            (a) =>
              `• *${a.id}* ${esc(a.title)}: ${a.status}, owner ${who(a.owner)}, due ${a.dueAt}${a.ticket ? ` (<${a.ticket.url}|${esc(a.ticket.key)}>)` : ''}`,
          );
          return void (await ephemeral(
            lines.length
              ? `*Corrective actions of ${incidentId}*\n${lines.join('\n')}`
              : `${incidentId} has no corrective actions yet.`,
          ));
        }
        case 'sev':
          await service.setSeverity(incidentId, bySlack, parsed.severity);
          return void (await toChannel(`${who(actor)} set ${incidentId} to ${parsed.severity}.`));
        case 'ic':
          await service.assignCommander(incidentId, bySlack, await personOf(parsed.user));
          return void (await toChannel(
            `${who(actor)} handed incident command of ${incidentId} to ${who(parsed.user)}.`,
          ));
        case 'update-form':
          return void (await client.views.open({
            trigger_id: command.trigger_id,
            view: updateModal(incidentId, command.channel_id) as never,
          }));
        case 'update': {
          const update = await service.postUpdate(incidentId, bySlack, { text: parsed.text });
          return void (await toChannel(
            `${who(actor)} posted status update ${update.id} of ${incidentId}: ${esc(update.text)}`,
          ));
        }
        case 'classify': {
          // The API's own validation, so Slack refuses what the CLI and the console are refused, in the same words.
          const { actor: _unused, ...request } = parseWith(classifyBody, {
            classification: parsed.classification,
            awareAt: parsed.awareAt,
            reason: parsed.reason,
          });
          await service.classify(incidentId, request, bySlack);
          return void (await toChannel(
            `${who(actor)} classified ${incidentId} as ${esc(request.classification)}${request.awareAt ? ` (aware since ${request.awareAt})` : ''}: ${esc(request.reason)}`,
          ));
        }
        case 'resolve':
          await service.resolve(incidentId, bySlack, parsed.summary);
          return void (await toChannel(`${who(actor)} resolved ${incidentId}: ${esc(parsed.summary)}`));
      }
    } catch (err) {
      await ephemeral(failure(err)).catch((e: Error) =>
        log.warn('slack: could not answer a command', { error: e.message }),
      );
    }
  });

  app.view(VIEW_DECLARE, async ({ ack, body, view }) => {
    const values = view.state.values;
    const pick = (block: string) => values[block]?.value;
    const title = pick('title')?.value?.trim() ?? '';
    const severity = pick('severity')?.selected_option?.value as Severity | undefined;
    const category = pick('category')?.selected_option?.value as Category | undefined;
    const errors: Record<string, string> = {};
    if (!title) errors.title = 'A title is required';
    if (!severity || !(SEVERITIES as readonly string[]).includes(severity))
      errors.severity = `Choose one of ${SEVERITIES.join(', ')}`;
    if (!category || !(CATEGORIES as readonly string[]).includes(category)) errors.category = 'Choose a category';
    if (Object.keys(errors).length) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    const declarer = body.user.id;
    const { channelId } = parseJson<{ channelId?: string }>(view.private_metadata);
    try {
      const runbookId = pick('runbook')?.selected_option?.value;
      const description = pick('description')?.value?.trim();
      const { id, triaging } = await service.declare({
        title,
        severity: severity!,
        category: category!,
        commander: await personOf(pick('commander')?.selected_user ?? declarer),
        declaredBy: await personOf(declarer),
        declaredVia: 'slack',
        ...(runbookId ? { runbookId } : {}),
        ...(description ? { description } : {}),
        idempotencyKey: `slack-view:${view.id}`,
      });
      await tell(
        declarer,
        channelId,
        `Declared *${id}* [${severity}] ${esc(title)}. ${triaging ? 'Its channel opens in a moment' : 'No worker has started it yet; its channel opens when one does'}: \`/incident status ${id}\`.`,
      );
    } catch (err) {
      await tell(declarer, channelId, `Could not declare "${esc(title)}": ${failure(err)}`);
    }
  });

  app.view(VIEW_UPDATE, async ({ ack, body, view }) => {
    const values = view.state.values;
    const text = values.text?.value?.value?.trim() ?? '';
    const impact = values.impact?.value?.value?.trim();
    const next = values.next?.value?.value?.trim();
    const visibility = values.visibility?.value?.selected_option?.value === 'public' ? 'public' : 'internal';
    const errors: Record<string, string> = {};
    if (!text) errors.text = 'Write the update';
    let nextUpdateAt: string | undefined;
    try {
      if (next) nextUpdateAt = new Date(Date.now() + durationMs(next)).toISOString();
    } catch {
      errors.next = `A duration such as 30m or 2h, not "${next}"`;
    }
    if (Object.keys(errors).length) return void (await ack({ response_action: 'errors', errors }));
    await ack();
    const actor = body.user.id;
    const { incidentId, channelId } = parseJson<{ incidentId: string; channelId?: string }>(view.private_metadata);
    try {
      const update = await service.postUpdate(
        incidentId,
        { actor: await personOf(actor), via: 'slack' },
        { text, visibility, ...(impact ? { impact } : {}), ...(nextUpdateAt ? { nextUpdateAt } : {}) },
      );
      const where = channelId ?? actor;
      await client.chat
        .postMessage({
          channel: where,
          text: `${who(actor)} posted ${visibility} status update ${update.id} of ${incidentId}: ${esc(update.text)}`,
        })
        .catch(() => tell(actor, channelId, `Posted status update ${update.id} of ${incidentId}.`));
    } catch (err) {
      await tell(actor, channelId, `Not posted: ${failure(err)}`);
    }
  });

  app.action(ACTION_APPROVE, async ({ ack, body, action }) => {
    await ack();
    const ref = parseJson<StepRef>((action as { value?: string }).value);
    const channel = (body as { channel?: { id?: string } }).channel?.id;
    await decide(ref, body.user.id, 'approve', channel);
  });

  app.action(ACTION_REJECT, async ({ ack, body, action }) => {
    await ack();
    const ref = parseJson<StepRef>((action as { value?: string }).value);
    const channel = (body as { channel?: { id?: string } }).channel?.id;
    try {
      const step = (await service.get(ref.incidentId)).steps.find((s) => s.id === ref.stepId);
      await client.views.open({
        trigger_id: (body as { trigger_id: string }).trigger_id,
        view: rejectModal({ ...ref, ...(channel ? { channelId: channel } : {}) }, step?.title ?? ref.stepId) as never,
      });
    } catch (err) {
      await tell(body.user.id, channel, failure(err));
    }
  });

  app.view(VIEW_REJECT, async ({ ack, body, view }) => {
    const reason = view.state.values.reason?.value?.value?.trim();
    if (!reason)
      return void (await ack({ response_action: 'errors', errors: { reason: 'Say why, for the timeline' } }));
    await ack();
    const ref = parseJson<StepRef & { channelId?: string }>(view.private_metadata);
    await decide(ref, body.user.id, 'reject', ref.channelId, reason);
  });

  /** The clicker's Slack user id is the actor; the workflow's validator accepts or refuses (and records a refusal). */
  async function personOf(slackUserId: string): Promise<string> {
    return inDirectory(await options.directory(), { person: slackUserId, via: 'slack', groups: [] }).person;
  }

  async function decide(
    ref: StepRef,
    actor: string,
    decision: 'approve' | 'reject',
    channel: string | undefined,
    reason?: string,
  ) {
    try {
      const step = (await service.get(ref.incidentId)).steps.find((s) => s.id === ref.stepId);
      const named = new Set(
        (step?.approvers ?? []).filter((a) => a.startsWith('group:')).map((a) => a.slice('group:'.length)),
      );
      const ids = Object.fromEntries(Object.entries(await options.usergroupIds()).filter(([name]) => named.has(name)));
      const memberOf = await options.usergroups.groupsOf(actor, ids).catch((err: Error) => {
        log.warn('slack: user groups unavailable; deciding on groups.yaml members alone', { error: err.message });
        return [];
      });
      await service.decide(
        ref.incidentId,
        { stepId: ref.stepId, decision, ...(reason ? { reason } : {}) },
        { actor: await personOf(actor), via: 'slack', ...(memberOf.length ? { memberOf } : {}) },
      );
    } catch (err) {
      await tell(actor, channel, `Not ${decision === 'approve' ? 'approved' : 'rejected'}: ${failure(err)}`);
    }
  }

  app.error(async (err) => log.error('slack: listener error', { error: err.message }));
  return app;
}

/** Bolt's authorize: the bot's ids from auth.test, asked when first needed and again after a failure. */
function botIdentity(client: ReturnType<typeof slackWebClient>, botToken: string) {
  let identity: Promise<{ botId: string; botUserId: string }> | undefined;
  return async () => {
    identity ??= client.auth.test().then((r) => ({ botId: r.bot_id ?? '', botUserId: r.user_id ?? '' }));
    identity.catch(() => (identity = undefined));
    return { botToken, ...(await identity) };
  };
}

function parseJson<T>(text: string | undefined): T {
  try {
    return JSON.parse(text ?? '{}') as T;
  } catch {
    return {} as T;
  }
}
