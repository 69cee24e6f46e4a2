import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { externalIdOf } from '../../integrations/ticketing/provider.js';
import type { IncidentService } from '../incident-service.js';
import { HttpError, parseJsonBody, parseWith } from './json.js';
import { REPLAY_STATUS, ReplayGuard } from './replay-guard.js';
import { hubSignaturePrecheck } from './prechecks.js';
import type { Route } from './router.js';
import { hmacMatches } from './secret-compare.js';
import { call } from './service-call.js';

const jiraIssueEvent = z.object({
  webhookEvent: z.string(),
  issue: z
    .object({
      key: z.string(),
      fields: z.object({
        labels: z.array(z.string()).default([]),
        status: z.object({ statusCategory: z.object({ key: z.string() }) }).optional(),
        resolutiondate: z.string().nullable().optional(),
      }),
    })
    .optional(),
  user: z.object({ displayName: z.string().optional(), emailAddress: z.string().optional() }).optional(),
});

const issueEvent = z.object({
  action: z.string().optional(),
  issue: z
    .object({
      number: z.number(),
      closed_at: z.string().nullable().optional(),
      labels: z.array(z.union([z.string(), z.object({ name: z.string() })])).default([]),
    })
    .optional(),
  sender: z.object({ login: z.string() }).optional(),
});

/** Trackers sign the body only, with no timestamp: a delivery is remembered for a day. */
const DELIVERY_MEMORY_MS = 24 * 60 * 60 * 1_000;

const jiraHeaders = z.object({
  'x-hub-signature': z
    .string()
    .describe('sha256=<HMAC-SHA256 of the body with JIRA_WEBHOOK_SECRET, 64 lowercase hex digits>'),
  'x-atlassian-webhook-identifier': z
    .string()
    .optional()
    .describe('the delivery id, the same on retries: a delivery already taken is refused (409)'),
});
const githubHeaders = z.object({
  'x-hub-signature-256': z
    .string()
    .describe('sha256=<HMAC-SHA256 of the body with GITHUB_WEBHOOK_SECRET, 64 lowercase hex digits>'),
  'x-github-event': z.string().optional().describe('issues (acted on), ping, or others (ignored)'),
  'x-github-delivery': z
    .string()
    .optional()
    .describe('the delivery id, the same on redelivery: a delivery already taken is refused (409)'),
});
const ticketResponses = {
  202: '`{action}` closed, or `{ignored}` with why',
  400: 'Not JSON, or not an event of that shape',
  401: 'The signature is missing or does not match the body',
  404: 'This webhook is off (no secret set)',
  409: 'This delivery (its signature or its delivery id) was taken in the last 24 hours: a replay',
};

interface Tracker {
  tracker: string;
  secret: string | undefined;
  secretName: string;
  header: string;
  deliveryHeader: string;
  replays: ReplayGuard;
}

/**
 * Ticket trackers tell us a corrective action's ticket closed. GitHub (X-Hub-Signature-256) and Jira
 * Cloud (X-Hub-Signature) sign each delivery with the webhook's secret; nothing is read before the
 * signature checks out, and a delivery already taken is refused (409).
 */
export function ticketWebhookRoutes(
  service: IncidentService,
  { githubSecret, jiraSecret, now = Date.now }: { githubSecret?: string; jiraSecret?: string; now?: () => number },
): Route[] {
  const jira: Tracker = {
    tracker: 'Jira',
    secret: jiraSecret,
    secretName: 'JIRA_WEBHOOK_SECRET',
    header: 'X-Hub-Signature',
    deliveryHeader: 'X-Atlassian-Webhook-Identifier',
    replays: new ReplayGuard(now),
  };
  const github: Tracker = {
    tracker: 'GitHub',
    secret: githubSecret,
    secretName: 'GITHUB_WEBHOOK_SECRET',
    header: 'X-Hub-Signature-256',
    deliveryHeader: 'X-GitHub-Delivery',
    replays: new ReplayGuard(now),
  };
  return [
    {
      method: 'POST',
      path: '/webhooks/tickets/jira',
      auth: 'webhook',
      rawBody: true,
      precheck: hubSignaturePrecheck({
        tracker: 'Jira',
        secret: jiraSecret,
        secretName: 'JIRA_WEBHOOK_SECRET',
        header: 'X-Hub-Signature',
      }),
      docs: {
        summary: 'Jira Cloud: a Done issue closes its corrective action',
        headers: jiraHeaders,
        body: jiraIssueEvent,
        responses: ticketResponses,
      },
      handle: ({ req, rawBody }) =>
        once(jira, req.headers, rawBody, now, async () => {
          const payload = parseWith(jiraIssueEvent, parseJsonBody(rawBody));
          const done = payload.issue?.fields.status?.statusCategory.key === 'done';
          if (payload.webhookEvent !== 'jira:issue_updated' || !payload.issue || !done) {
            return {
              status: 202,
              body: {
                ignored: `${payload.webhookEvent}${payload.issue ? ` ${payload.issue.key}` : ''}${done ? '' : ' (not done)'}`,
              },
            };
          }
          const externalId = payload.issue.fields.labels.map(externalIdOf).find((id) => id !== undefined);
          if (!externalId) return { status: 202, body: { ignored: `${payload.issue.key} is not a corrective action` } };
          const by = payload.user?.displayName ?? payload.user?.emailAddress ?? 'jira';
          const closedAt = payload.issue.fields.resolutiondate;
          const { ignored } = await call(() =>
            service.ticketClosed(
              externalId,
              { provider: 'jira', key: payload.issue!.key },
              { by, ...(closedAt ? { closedAt } : {}) },
            ),
          );
          return { status: 202, body: ignored ? { ignored } : { action: externalId } };
        }),
    },
    {
      method: 'POST',
      path: '/webhooks/tickets/github',
      auth: 'webhook',
      rawBody: true,
      precheck: hubSignaturePrecheck({
        tracker: 'GitHub',
        secret: githubSecret,
        secretName: 'GITHUB_WEBHOOK_SECRET',
        header: 'X-Hub-Signature-256',
      }),
      docs: {
        summary: 'GitHub: a closed issue closes its corrective action',
        headers: githubHeaders,
        body: issueEvent,
        responses: { ...ticketResponses, 200: '`{ok: true}` for a ping' },
      },
      handle: async ({ req, rawBody }) => {
        const event = String(req.headers['x-github-event'] ?? '');
        // A ping acts on nothing, and GitHub's "Redeliver" of it is how a webhook gets tested.
        if (event === 'ping') {
          requireSignature(github, req.headers, rawBody);
          return { status: 200, body: { ok: true } };
        }
        return once(github, req.headers, rawBody, now, async () => {
          const payload = parseWith(issueEvent, parseJsonBody(rawBody));
          if (event !== 'issues' || payload.action !== 'closed' || !payload.issue) {
            return { status: 202, body: { ignored: `${event} ${payload.action ?? ''}`.trim() } };
          }
          const externalId = payload.issue.labels
            .map((l) => externalIdOf(typeof l === 'string' ? l : l.name))
            .find((id) => id !== undefined);
          if (!externalId)
            return { status: 202, body: { ignored: `issue #${payload.issue.number} is not a corrective action` } };
          const issue = payload.issue;
          const { ignored } = await call(() =>
            service.ticketClosed(
              externalId,
              { provider: 'github', key: `#${issue.number}` },
              { by: payload.sender?.login ?? 'github', ...(issue.closed_at ? { closedAt: issue.closed_at } : {}) },
            ),
          );
          return { status: 202, body: ignored ? { ignored } : { action: externalId } };
        });
      },
    },
  ];
}

/**
 * Runs `handle` for a delivery signed by the tracker, once: its signature and its delivery id are
 * remembered for a day, and a delivery showing either again is refused. The delivery id is not
 * signed (a replay can change it) and the signature covers the body only, so both are keys. A
 * delivery that failed is forgotten, so that the tracker's retry of it (same id, same body) is taken.
 */
async function once<T>(
  tracker: Tracker,
  headers: IncomingHttpHeaders,
  body: Buffer,
  now: () => number,
  handle: () => Promise<T>,
): Promise<T> {
  const signature = requireSignature(tracker, headers, body);
  const delivery = headers[tracker.deliveryHeader.toLowerCase()];
  const keys = [
    `signature:${signature}`,
    ...(typeof delivery === 'string' && delivery ? [`delivery:${delivery}`] : []),
  ];
  if (!tracker.replays.claim(keys, now() + DELIVERY_MEMORY_MS)) {
    throw new HttpError(REPLAY_STATUS, `${tracker.tracker} delivery already received: a replay, refused`, [
      {
        field: tracker.deliveryHeader.toLowerCase(),
        message: 'this signature or delivery id was taken in the last 24 hours',
      },
    ]);
  }
  try {
    return await handle();
  } catch (err) {
    tracker.replays.release(keys);
    throw err;
  }
}

/** 404 while the tracker's webhook is off; 401 unless `header` is sha256=<HMAC of the raw body with the secret>. */
function requireSignature(
  { tracker, secret, secretName, header }: Tracker,
  headers: IncomingHttpHeaders,
  body: Buffer,
): string {
  if (!secret) throw new HttpError(404, `${tracker} ticket webhooks are off: set ${secretName}`);
  const presented = headers[header.toLowerCase()];
  const hex = typeof presented === 'string' && presented.startsWith('sha256=') ? presented.slice(7) : undefined;
  if (hex !== undefined && hmacMatches(secret, [body], hex)) return hex;
  throw new HttpError(401, `${header} is missing or does not match the body`, [
    {
      field: header.toLowerCase(),
      message: `must be sha256=<HMAC of the body with ${secretName}, 64 lowercase hex digits>`,
    },
  ]);
}
