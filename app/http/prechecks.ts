// Route.precheck for the webhooks: what their headers alone show, judged before a byte of the body is
// read, so a sender without credentials costs a header parse and not a buffered megabyte. The routes
// still verify signatures over the body in `handle`; these only refuse what cannot pass.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './json.js';
import type { Precheck } from './router.js';
import { presentsToken } from './secret-compare.js';

/** How the alert webhooks are reached (app/main.ts): a token, open on loopback, or off. */
export interface AlertAccess {
  token?: string;
  loopbackOnly: boolean;
  /** ALERT_GRAFANA_HMAC_SECRET is set: Grafana deliveries must carry a signature header. */
  grafanaSigned?: boolean;
}

/**
 * The alert token (bearer, or basic auth's password) checked in full: it is in the headers. A signed
 * Grafana route authenticates by its signature alone (alert-auth.ts), so there only the signature
 * and timestamp headers must be present.
 */
export function alertPrecheck(access: AlertAccess): Precheck {
  return (req, params) => {
    if (access.grafanaSigned && params.source === 'grafana') {
      if (!req.headers['x-grafana-alert-signature'])
        throw new HttpError(
          401,
          'Missing X-Grafana-Alert-Signature: the Grafana contact point must sign with ALERT_GRAFANA_HMAC_SECRET',
        );
      return;
    }
    if (!access.token && !access.loopbackOnly)
      throw new HttpError(
        403,
        'Alert webhooks are off: set ALERT_WEBHOOK_TOKEN to accept alerts on an address other than loopback',
      );
    if (access.token && !presentsToken(req.headers.authorization, access.token))
      throw new HttpError(
        401,
        'Missing or wrong credentials: send Authorization: Bearer <ALERT_WEBHOOK_TOKEN> (or basic auth with it as the password)',
        [{ field: 'authorization', message: 'must carry ALERT_WEBHOOK_TOKEN' }],
        { 'www-authenticate': 'Bearer, Basic realm="alerts"' },
      );
  };
}

/**
 * GitHub's X-Hub-Signature-256 and Jira's X-Hub-Signature: 404 while the webhook is off (no secret),
 * 401 unless the header is `sha256=` and 64 hex digits.
 */
export function hubSignaturePrecheck({
  tracker,
  secret,
  secretName,
  header,
}: {
  tracker: string;
  secret: string | undefined;
  secretName: string;
  header: string;
}): Precheck {
  return (req) => {
    if (!secret) throw new HttpError(404, `${tracker} ticket webhooks are off: set ${secretName}`);
    if (!/^sha256=[0-9a-f]{64}$/i.test(single(req.headers[header.toLowerCase()])))
      throw new HttpError(401, `${header} is missing or does not match the body`, [
        { field: header.toLowerCase(), message: `must be sha256=<HMAC of the body with ${secretName}>` },
      ]);
  };
}

/**
 * Slack signs every request: both headers must be there before the body is read. Their form and
 * value are checked over the body (request-gate.ts), which names exactly what is wrong.
 */
export function slackSignaturePrecheck(req: IncomingMessage): void {
  const signature = single(req.headers['x-slack-signature']);
  const timestamp = single(req.headers['x-slack-request-timestamp']);
  const missing = !signature ? 'X-Slack-Signature' : !timestamp ? 'X-Slack-Request-Timestamp' : undefined;
  if (missing)
    throw new HttpError(401, `Not a request from your Slack app: Missing ${missing}`, [
      { field: missing.toLowerCase(), message: 'required: Slack signs every request' },
    ]);
}

const single = (value: string | string[] | undefined): string => (typeof value === 'string' ? value : '');
