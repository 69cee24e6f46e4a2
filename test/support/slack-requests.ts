// Inbound requests as Slack sends them to an app (slash commands, interactivity), signed the way Slack signs
// them: HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing secret, in `x-slack-signature: v0=<hex>`
// and `x-slack-request-timestamp` (https://api.slack.com/authentication/verifying-requests-from-slack).
import { createHmac } from 'node:crypto';

const TEAM = { id: 'T0TEST', domain: 'acme-test' };
const APP_ID = 'A0TEST';
/** The deprecated verification token Slack still puts in every payload; Bolt ignores it. */
const VERIFICATION_TOKEN = 'verification-token';

const triggerId = () => `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${'0123456789abcdef'.repeat(2)}`;
const actionTs = () => (Date.now() / 1000).toFixed(6);
const user = (id: string) => ({ id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: TEAM.id });

export function slackSignature(secret: string, body: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POSTs body to url with correct signature headers (unless overridden) and content type; returns the fetch Response. */
export function sendSigned(
  url: string,
  body: string,
  options: { secret: string; timestamp?: number; signature?: string; contentType?: string },
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.secret, body, timestamp),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    },
    body,
  });
}

/** The form body of a slash command, with Slack's fields. */
export function slashCommandBody(fields: {
  command?: string;
  text: string;
  user_id: string;
  channel_id?: string;
  channel_name?: string;
  response_url: string;
  trigger_id?: string;
  team_id?: string;
}): string {
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: fields.team_id ?? TEAM.id,
    team_domain: TEAM.domain,
    channel_id: fields.channel_id ?? 'C0GENERAL',
    channel_name: fields.channel_name ?? 'general',
    user_id: fields.user_id,
    user_name: fields.user_id.toLowerCase(),
    command: fields.command ?? '/incident',
    text: fields.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? triggerId(),
  }).toString();
}

/** `payload=<url-encoded JSON>` as Slack sends interactivity. */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A view_submission payload as Slack sends it when a modal is submitted. `values` is block_id → action_id → element state. */
export function viewSubmissionPayload(fields: {
  user_id: string;
  callback_id: string;
  private_metadata?: string;
  values: Record<string, Record<string, object>>;
  trigger_id?: string;
}): object {
  return {
    type: 'view_submission',
    team: TEAM,
    user: user(fields.user_id),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: fields.trigger_id ?? triggerId(),
    view: {
      id: 'V0SUBMIT01',
      team_id: TEAM.id,
      type: 'modal',
      callback_id: fields.callback_id,
      private_metadata: fields.private_metadata ?? '',
      state: { values: fields.values },
      hash: `${Math.floor(Date.now() / 1000)}.a1b2c3d4`,
      title: { type: 'plain_text', text: 'Incident', emoji: true },
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      close: null,
      blocks: [],
      clear_on_close: false,
      notify_on_close: false,
      external_id: '',
      previous_view_id: null,
      root_view_id: 'V0SUBMIT01',
      app_id: APP_ID,
      app_installed_team_id: TEAM.id,
      bot_id: 'B0BOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** A block_actions payload as Slack sends it when a button in a (non-ephemeral) message is clicked. */
export function blockActionsPayload(fields: {
  user_id: string;
  channel_id: string;
  message_ts: string;
  response_url: string;
  actions: { action_id: string; block_id?: string; value: string }[];
  trigger_id?: string;
}): object {
  return {
    type: 'block_actions',
    user: user(fields.user_id),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: fields.message_ts, channel_id: fields.channel_id, is_ephemeral: false },
    trigger_id: fields.trigger_id ?? triggerId(),
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: fields.channel_id, name: 'incident' },
    message: { type: 'message', user: 'U0BOT', bot_id: 'B0BOT', ts: fields.message_ts, text: '', blocks: [] },
    state: { values: {} },
    response_url: fields.response_url,
    actions: fields.actions.map((a) => ({
      action_id: a.action_id,
      block_id: a.block_id ?? a.action_id,
      value: a.value,
      type: 'button',
      action_ts: actionTs(),
      text: { type: 'plain_text', text: a.value, emoji: true },
    })),
  };
}
