// One way to build a Slack Web API client and one way to read its failures.
import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { ServiceBusy, ServiceRefused } from '../service-errors.js';

export interface SlackConnection {
  botToken: string;
  /** SLACK_API_URL: another Web API base (a Slack-compatible gateway, or a test fake). */
  apiUrl?: string;
}

/** Slack errors that say "try again", as opposed to "this request is wrong". */
const TRANSIENT_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * `durable`: for activities. No retries of its own; failures are classified so that Temporal retries
 * (honouring Retry-After) and the history shows each attempt. `interactive`: for answering a person
 * in Slack, a couple of quick retries.
 */
export function slackWebClient(connection: SlackConnection, mode: 'durable' | 'interactive'): WebClient {
  return new WebClient(connection.botToken, {
    ...(connection.apiUrl
      ? { slackApiUrl: connection.apiUrl.endsWith('/') ? connection.apiUrl : `${connection.apiUrl}/` }
      : {}),
    logLevel: LogLevel.ERROR,
    timeout: 10_000,
    ...(mode === 'durable'
      ? { rejectRateLimitedCalls: true, retryConfig: { retries: 0 } }
      : { retryConfig: { retries: 2, factor: 2, minTimeout: 300, maxTimeout: 2_000 } }),
  });
}

/** The Slack error code of a failed call (`channel_not_found`), if Slack answered one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === ErrorCode.PlatformError ? e.data?.error : undefined;
}

/** Rethrows a Web API failure as ServiceBusy (rate limited), ServiceRefused (wrong request) or as it is (retry). */
export function classifySlackError(err: unknown, what: string): never {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; message?: string };
  if (e?.code === ErrorCode.RateLimitedError)
    throw new ServiceBusy(`Slack rate-limited ${what}; retry in ${e.retryAfter} s`, (e.retryAfter ?? 1) * 1_000);
  const code = slackErrorCode(err);
  if (code !== undefined) {
    if (TRANSIENT_ERRORS.has(code)) throw new Error(`Slack could not ${what} now: ${code}`);
    throw new ServiceRefused(`Slack refused to ${what}: ${code}`);
  }
  if (e?.code === ErrorCode.HTTPError && e.statusCode !== undefined && e.statusCode < 500)
    throw new ServiceRefused(`Slack refused to ${what}: HTTP ${e.statusCode}`);
  throw new Error(`Slack could not ${what}: ${e?.message ?? String(err)}`);
}
