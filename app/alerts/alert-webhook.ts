// The alert webhooks as one function of (source, headers, body) → response, so the HTTP server and a
// Lambda handler serve the same thing. Nothing starts unless the request is authentic and valid; 202
// only once Temporal has accepted the signal-with-start of every intake its groups belong to; 503 while
// Temporal is unreachable, so the sender retries and nothing is lost.
import type { Client } from '@temporalio/client';
import {
  ALERT_SOURCES,
  AlertPayloadInvalid,
  parseAlerts,
  parseJsonBody,
  type AlertSource,
} from '../../integrations/alerts/parse.js';
import type { RunbookSource } from '../../runbooks/source.js';
import type { GroupAlerts } from '../../workflows/messages.js';
import { REPLAY_STATUS, ReplayGuard } from '../http/replay-guard.js';
import { authenticateAlert } from './alert-auth.js';
import { FloodGuard } from './flood.js';
import { IntakeBatcher } from './intake-batcher.js';
import { groupsProblem, limitProblems, signalProblem, type LimitProblem } from './limits.js';
import { alertIntakeWorkflowId, routeAlert } from './routing.js';

export const MAX_ALERT_BODY_BYTES = 1024 * 1024;
/** How long Temporal may take to accept before the sender is told to retry. */
const TEMPORAL_DEADLINE_MS = 5_000;
/** Alerts route by the runbooks as of at most a second ago: a storm then lists the directory once a second, not once per alert. */
const RUNBOOKS_MAX_AGE_MS = 1_000;

export interface WebhookResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface AlertWebhookOptions {
  client: Client;
  taskQueue: string;
  runbooks: RunbookSource;
  /** ALERT_WEBHOOK_TOKEN: accepted as a bearer token or as the password of basic auth. */
  token?: string;
  /** Without a token, alerts are accepted only when the server listens on loopback alone. */
  loopbackOnly: boolean;
  /** Who is IC of an incident an alert opens until someone takes it. */
  commander: string;
  /**
   * Grafana's contact point HMAC secret: Grafana deliveries must then carry a valid signature and
   * timestamp, and not the token (which they no longer need).
   */
  grafanaSecret?: string;
  now?: () => Date;
  /** The rate of new groups per source past which they join one flood incident (ALERT_NEW_GROUPS_PER_MINUTE). */
  flood?: FloodGuard;
}

export type AlertWebhook = (
  source: string,
  headers: Record<string, string | undefined>,
  body: Buffer,
) => Promise<WebhookResponse>;

const problem = (
  status: number,
  error: string,
  details: { field: string; message: string }[] = [],
  headers?: Record<string, string>,
): WebhookResponse => ({
  status,
  body: { error, details },
  ...(headers ? { headers } : {}),
});

export function createAlertWebhook(options: AlertWebhookOptions): AlertWebhook {
  const intake = new IntakeBatcher(options.client, options.taskQueue);
  const flood = options.flood ?? new FloodGuard();
  const replays = new ReplayGuard(() => (options.now?.() ?? new Date()).getTime());
  return async (source, headers, body) => {
    if (!(ALERT_SOURCES as readonly string[]).includes(source))
      return problem(404, `No alert source "${source}" (sources: ${ALERT_SOURCES.join(', ')})`);
    const now = options.now?.() ?? new Date();
    if (body.length > MAX_ALERT_BODY_BYTES) return problem(413, `Body larger than ${MAX_ALERT_BODY_BYTES} bytes`);
    const caller = authenticateAlert(source as AlertSource, headers, body, options, now.getTime());
    if ('refused' in caller) return problem(caller.refused.status, caller.refused.error, [], caller.refused.headers);

    let groups: Map<string, GroupAlerts>;
    try {
      const batch = parseAlerts(source as AlertSource, parseJsonBody(body), now.toISOString());
      const tooMuch = limitProblems(batch);
      if (tooMuch.length) return overLimit(tooMuch);
      const library = await options.runbooks.current(RUNBOOKS_MAX_AGE_MS);
      groups = new Map();
      for (const alert of batch.alerts) {
        const routed = routeAlert(alert, library, {
          commander: options.commander,
          ...(batch.receivedGroupKey ? { receivedGroupKey: batch.receivedGroupKey } : {}),
        });
        const group = groups.get(routed.groupKey) ?? { groupKey: routed.groupKey, routing: routed.routing, alerts: [] };
        group.alerts.push(routed.summary);
        groups.set(routed.groupKey, group);
      }
    } catch (err) {
      if (!(err instanceof AlertPayloadInvalid)) throw err;
      return problem(
        400,
        `Invalid ${source} payload: ${err.issues.join('; ')}`,
        err.issues.map((issue) => ({ field: issue.split(': ')[0]!, message: issue.slice(issue.indexOf(': ') + 2) })),
      );
    }

    const tooMany = groupsProblem(groups.size);
    if (tooMany) return overLimit([tooMany]);
    const { signed } = caller;
    if (signed && !replays.claim([signed.key], signed.forgetAtMs)) {
      return problem(REPLAY_STATUS, 'This signed delivery was already received: a replay, refused');
    }
    groups = new Map(flood.admit(source, [...groups.values()]).map((group) => [group.groupKey, group]));

    const deadline = Date.now() + TEMPORAL_DEADLINE_MS;
    const byIntake = new Map<string, GroupAlerts[]>();
    for (const group of groups.values()) {
      const workflowId = alertIntakeWorkflowId(group.groupKey);
      byIntake.set(workflowId, [...(byIntake.get(workflowId) ?? []), group]);
    }
    for (const intakeGroups of byIntake.values()) {
      const tooBig = signalProblem(JSON.stringify(intakeGroups).length);
      if (tooBig) {
        if (signed) replays.release([signed.key]);
        return overLimit([tooBig]);
      }
    }
    try {
      await Promise.all(
        [...byIntake].map(([workflowId, intakeGroups]) => intake.submit(workflowId, intakeGroups, deadline)),
      );
    } catch (err) {
      if (signed) replays.release([signed.key]); // the sender's retry must get through
      return problem(503, `Temporal did not accept the alerts (${(err as Error).message}); retry`, [], {
        'retry-after': '5',
      });
    }
    const accepted = [...byIntake].flatMap(([workflowId, intakeGroups]) =>
      intakeGroups.map((g) => ({ groupKey: g.groupKey, workflowId, alerts: g.alerts.length })),
    );
    // The sender's logs are where a broken alert rule gets noticed first.
    const warnings = [...new Set([...groups.values()].flatMap((g) => g.routing.warnings ?? []))];
    return {
      status: 202,
      body: {
        accepted: accepted.reduce((n, g) => n + g.alerts, 0),
        groups: accepted,
        ...(warnings.length ? { warnings } : {}),
      },
    };
  };
}

function overLimit(problems: LimitProblem[]): WebhookResponse {
  const status = problems.some((p) => p.status === 413) ? 413 : 400;
  return problem(
    status,
    `Over the alert limits: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    problems.map(({ field, message }) => ({ field, message })),
  );
}
