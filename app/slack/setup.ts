// Slack, when SLACK_BOT_TOKEN is set: the chat provider the worker's activities use, and the app that
// takes commands and clicks, over HTTP (POST /slack/events, signed) or Socket Mode (SLACK_APP_TOKEN).
import type { App } from '@slack/bolt';
import { SlackChat } from '../../integrations/slack/slack-chat.js';
import { SlackUsergroups } from '../../integrations/slack/usergroups.js';
import { slackWebClient, type SlackConnection } from '../../integrations/slack/web-client.js';
import type { ServerConfig } from '../config.js';
import type { Route } from '../http/router.js';
import type { IncidentService } from '../incident-service.js';
import type { Logger } from '../log.js';
import { SlackHttpReceiver } from './http-receiver.js';
import { createSlackApp } from './slack-app.js';

export interface Slack {
  connection: SlackConnection;
  chat: SlackChat;
  usergroups: SlackUsergroups;
}

export function slackFromConfig(config: ServerConfig): Slack | undefined {
  if (!config.SLACK_BOT_TOKEN) return undefined;
  const connection: SlackConnection = { botToken: config.SLACK_BOT_TOKEN, ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}) };
  const usergroups = new SlackUsergroups(slackWebClient(connection, 'interactive'));
  return { connection, usergroups, chat: new SlackChat(slackWebClient(connection, 'durable'), usergroups) };
}

export interface RunningSlackApp {
  routes: Route[];
  /** For the start-up banner. */
  receives: string;
  stop(): Promise<void>;
}

export async function startSlackApp(slack: Slack, config: ServerConfig, service: IncidentService, log: Logger): Promise<RunningSlackApp> {
  const common = { ...slack.connection, service, usergroups: slack.usergroups, log };
  if (config.SLACK_APP_TOKEN) {
    const app: App = createSlackApp({ ...common, appToken: config.SLACK_APP_TOKEN });
    await app.start();
    return { routes: [], receives: 'Socket Mode (SLACK_APP_TOKEN)', stop: () => app.stop().then(() => undefined) };
  }
  const receiver = new SlackHttpReceiver(config.SLACK_SIGNING_SECRET!, log);
  const app = createSlackApp({ ...common, receiver });
  await app.start();
  const route: Route = {
    method: 'POST',
    path: '/slack/events',
    rawBody: true,
    async handle({ req, rawBody }) {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
      const answer = await receiver.handle(headers, rawBody);
      return answer.contentType ? { status: answer.status, body: answer.body, contentType: answer.contentType } : { status: answer.status, body: answer.body };
    },
  };
  return { routes: [route], receives: 'POST /slack/events (signed requests only)', stop: () => app.stop().then(() => undefined) };
}
