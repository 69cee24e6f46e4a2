// The alert webhooks as an AWS Lambda behind API Gateway (HTTP API, payload format 2.0), for teams that
// take alerts in serverless: route `POST /webhooks/{source}` to `handler`. It needs TEMPORAL_ADDRESS (and
// TEMPORAL_NAMESPACE / TEMPORAL_API_KEY as for the server), ALERT_WEBHOOK_TOKEN, TEMPORAL_TASK_QUEUE and
// the runbooks (RUNBOOKS_DIR, packaged with the function). The workers run elsewhere.
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { RunbookSource } from '../../runbooks/source.js';
import { loadServerConfig } from '../config.js';
import { createAlertWebhook, type AlertWebhook } from './alert-webhook.js';
import { FloodGuard } from './flood.js';

/** The fields of an API Gateway v2 (HTTP API) event that the webhook reads. */
export interface ApiGatewayV2Event {
  rawPath: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  pathParameters?: Record<string, string | undefined>;
}

export interface ApiGatewayV2Result {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** One connection per warm container, made on the first request. */
let webhook: Promise<AlertWebhook> | undefined;

export async function handler(event: ApiGatewayV2Event): Promise<ApiGatewayV2Result> {
  webhook ??= connect().catch((err: unknown) => {
    webhook = undefined; // the next request tries again
    throw err;
  });
  let alerts: AlertWebhook;
  try {
    alerts = await webhook;
  } catch (err) {
    return respond(
      503,
      { error: `Temporal is unreachable (${(err as Error).message}); retry`, details: [] },
      { 'retry-after': '5' },
    );
  }
  const source = event.pathParameters?.source ?? event.rawPath.split('/').filter(Boolean).pop() ?? '';
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const answer = await alerts(source, headers, body);
  return respond(answer.status, answer.body, answer.headers);
}

async function connect(): Promise<AlertWebhook> {
  const config = loadServerConfig();
  if (!config.TEMPORAL_ADDRESS) throw new Error('TEMPORAL_ADDRESS is not set: a Lambda has no embedded Temporal');
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await Connection.connect(connectionOptions);
  return createAlertWebhook({
    client: new Client({ connection, namespace: namespace ?? 'default' }),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    runbooks: new RunbookSource(config.runbooksDir),
    loopbackOnly: false, // a function URL is never loopback: the token is required
    commander: config.ALERT_COMMANDER,
    flood: new FloodGuard(config.ALERT_NEW_GROUPS_PER_MINUTE),
    ...(config.ALERT_WEBHOOK_TOKEN ? { token: config.ALERT_WEBHOOK_TOKEN } : {}),
    ...(config.ALERT_GRAFANA_HMAC_SECRET ? { grafanaSecret: config.ALERT_GRAFANA_HMAC_SECRET } : {}),
  });
}

function respond(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiGatewayV2Result {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}
