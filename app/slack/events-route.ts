import { z } from 'zod';
import { slackSignaturePrecheck } from '../http/prechecks.js';
import type { Route } from '../http/router.js';
import type { SlackHttpReceiver } from './http-receiver.js';

const slackHeaders = z.object({
  'x-slack-signature': z
    .string()
    .describe('v0=<HMAC-SHA256 of v0:timestamp:raw body with SLACK_SIGNING_SECRET, 64 lowercase hex digits>'),
  'x-slack-request-timestamp': z.string().describe('Unix seconds; refused when more than five minutes off either way'),
});

/** POST /slack/events: Slack's commands, clicks and events, each checked against its signature first. */
export function slackEventsRoute(receiver: Pick<SlackHttpReceiver, 'handle'>): Route {
  return {
    method: 'POST',
    path: '/slack/events',
    auth: 'webhook',
    rawBody: true,
    precheck: slackSignaturePrecheck,
    docs: {
      summary: 'Slack slash commands, interactivity and events (HTTP mode)',
      headers: slackHeaders,
      body: z.looseObject({}).describe('what Slack sends: a form for commands and clicks, JSON for events'),
      bodyTypes: ['application/x-www-form-urlencoded', 'application/json'],
      responses: {
        200: "Slack's answer (empty, or a url_verification challenge)",
        400: 'An unreadable body, or one of no shape Slack sends',
        401: 'Not signed by your Slack app, or stamped more than five minutes from now',
        409: 'This signed request was already taken: a replay',
        503: 'The Slack app is not ready',
      },
    },
    async handle({ req, rawBody }) {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]),
      );
      const answer = await receiver.handle(headers, rawBody);
      return answer.contentType
        ? { status: answer.status, body: answer.body, contentType: answer.contentType }
        : { status: answer.status, body: answer.body };
    },
  };
}
