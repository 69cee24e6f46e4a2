// The Slack app as an AWS Lambda behind API Gateway or a function URL, for serverless deployments:
// point the manifest's URLs at it and export `handler`. It needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET,
// TEMPORAL_ADDRESS (with TEMPORAL_NAMESPACE / TEMPORAL_API_KEY as for the server), TEMPORAL_TASK_QUEUE
// and the runbooks (RUNBOOKS_DIR, packaged with the function); the workers, and so the incident
// channels, run elsewhere. Lambda freezes a function once it has answered, so Bolt's Lambda receiver
// answers Slack after the listener's work is done: when Temporal takes over 3 s, Slack shows a timeout
// although the work completes. Use the HTTP server or Socket Mode where that matters.
import bolt from '@slack/bolt';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { RunbookSource } from '../../runbooks/source.js';
import { loadServerConfig } from '../config.js';
import { IncidentService } from '../incident-service.js';
import { createLogger } from '../../integrations/log.js';
import { SlackRequestGate } from './request-gate.js';
import { slackFromConfig } from './setup.js';
import { createSlackApp } from './slack-app.js';

type LambdaHandler = (event: unknown, context: unknown, callback: unknown) => Promise<unknown>;

/** One app and Temporal connection per warm container, made on the first request. */
let ready: Promise<LambdaHandler> | undefined;

export async function handler(event: unknown, context: unknown, callback: unknown): Promise<unknown> {
  ready ??= setUp().catch((err: unknown) => {
    ready = undefined; // the next request tries again
    throw err;
  });
  return (await ready)(event, context, callback);
}

async function setUp(): Promise<LambdaHandler> {
  const config = loadServerConfig();
  const runbooks = new RunbookSource(config.runbooksDir);
  const slack = slackFromConfig(config, runbooks);
  if (!slack || !config.SLACK_SIGNING_SECRET) throw new Error('SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are required');
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is not set: a Lambda has no embedded Temporal');
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  const service = new IncidentService(new Client({ connection, namespace: namespace ?? 'default' }), {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    runbooks,
  });
  const receiver = new bolt.AwsLambdaReceiver({
    signingSecret: config.SLACK_SIGNING_SECRET,
    logLevel: bolt.LogLevel.ERROR,
  });
  createSlackApp({
    ...slack.connection,
    service,
    usergroups: slack.usergroups,
    usergroupIds: slack.usergroupIds,
    directory: slack.directory,
    log: createLogger(config.LOG_LEVEL),
    receiver,
  });
  return gated(new SlackRequestGate(config.SLACK_SIGNING_SECRET), (await receiver.start()) as LambdaHandler);
}

/** The fields of an API Gateway v2 or function URL event that the gate reads. */
interface SlackLambdaEvent {
  headers?: Record<string, string | undefined>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** Bolt's Lambda handler behind the gate every Slack request passes (request-gate.ts). */
function gated(gate: SlackRequestGate, bolted: LambdaHandler): LambdaHandler {
  return async (event, context, callback) => {
    const { headers = {}, body, isBase64Encoded } = event as SlackLambdaEvent;
    const admitted = gate.admit(
      Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
      Buffer.from(body ?? '', isBase64Encoded ? 'base64' : 'utf8'),
    );
    if ('refused' in admitted) {
      return {
        statusCode: admitted.refused.status,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(admitted.refused.body),
      };
    }
    const result = await bolted(event, context, callback).catch((err: unknown) => {
      admitted.release();
      throw err;
    });
    if (((result as { statusCode?: number } | undefined)?.statusCode ?? 200) >= 500) admitted.release();
    return result;
  };
}
