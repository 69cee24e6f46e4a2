// Slack, when SLACK_BOT_TOKEN is set: the chat provider the worker's activities use, and the app that
// takes commands and clicks, over HTTP (POST /slack/events, signed) or Socket Mode (SLACK_APP_TOKEN).
import type { App } from '@slack/bolt';
import { SlackChat } from '../../integrations/slack/slack-chat.js';
import { SlackUsergroups } from '../../integrations/slack/usergroups.js';
import { slackWebClient, type SlackConnection } from '../../integrations/slack/web-client.js';
import type { RunbookSource } from '../../runbooks/source.js';
import type { ServerConfig } from '../config.js';
import type { Route } from '../http/router.js';
import type { IncidentService } from '../incident-service.js';
import type { Directory } from '../../runbooks/directory.js';
import type { Logger } from '../../integrations/log.js';
import { slackEventsRoute } from './events-route.js';
import { SlackHttpReceiver } from './http-receiver.js';
import { createSlackApp } from './slack-app.js';

const SOCKET_RETRY_MS = 30_000;

export interface Slack {
  connection: SlackConnection;
  chat: SlackChat;
  usergroups: SlackUsergroups;
  usergroupIds: () => Promise<Record<string, string>>;
  directory: () => Promise<Directory>;
}

export function slackFromConfig(config: ServerConfig, runbooks: RunbookSource): Slack | undefined {
  if (!config.SLACK_BOT_TOKEN) return undefined;
  const connection: SlackConnection = {
    botToken: config.SLACK_BOT_TOKEN,
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
  };
  const usergroups = new SlackUsergroups(slackWebClient(connection, 'interactive'));
  const usergroupIds = async () => (await runbooks.current()).slackUsergroups;
  return {
    connection,
    usergroups,
    usergroupIds,
    directory: async () => (await runbooks.current(1_000)).directory,
    chat: new SlackChat(slackWebClient(connection, 'durable'), usergroups, usergroupIds),
  };
}

export interface RunningSlackApp {
  routes: Route[];
  /** For the start-up banner. */
  receives: string;
  stop(): Promise<void>;
}

export async function startSlackApp(
  slack: Slack,
  config: ServerConfig,
  service: IncidentService,
  log: Logger,
): Promise<RunningSlackApp> {
  const common = {
    ...slack.connection,
    service,
    usergroups: slack.usergroups,
    usergroupIds: slack.usergroupIds,
    directory: slack.directory,
    log,
  };
  if (config.SLACK_APP_TOKEN) {
    const app: App = createSlackApp({ ...common, appToken: config.SLACK_APP_TOKEN });
    // Connecting must not hold up (or fail) start-up: incidents run without Slack, and it is retried.
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const connect = () =>
      app.start().then(
        () => log.info('slack: connected in Socket Mode'),
        (err: Error) => {
          if (stopped) return;
          log.warn(`slack: Socket Mode connection failed, retrying in ${SOCKET_RETRY_MS / 1000} s`, {
            error: err.message,
          });
          retry = setTimeout(() => void connect(), SOCKET_RETRY_MS);
        },
      );
    void connect();
    return {
      routes: [],
      receives: 'Socket Mode (SLACK_APP_TOKEN)',
      stop: async () => {
        stopped = true;
        clearTimeout(retry);
        await app.stop().catch(() => undefined);
      },
    };
  }
  const receiver = new SlackHttpReceiver(config.SLACK_SIGNING_SECRET!, log);
  const app = createSlackApp({ ...common, receiver });
  await app.start();
  return {
    routes: [slackEventsRoute(receiver)],
    receives: 'POST /slack/events (signed requests only)',
    stop: () => app.stop().then(() => undefined),
  };
}
