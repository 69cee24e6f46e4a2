// Who may post alerts. Alertmanager, Datadog and the generic route present ALERT_WEBHOOK_TOKEN (a
// bearer token, or basic auth's password). Grafana, once ALERT_GRAFANA_HMAC_SECRET is set, proves
// itself by signing `timestamp:body` instead, and must not carry the token at all: a token every
// Grafana delivery carries sits in Grafana's contact point settings, where whoever reads them could
// open the other routes with it.
import type { AlertSource } from '../../integrations/alerts/parse.js';
import { hmacMatches, presentsToken } from '../http/secret-compare.js';
import { signedTimestamp, windowEndMs } from '../http/signed-timestamp.js';

export interface AlertCredentials {
  token?: string;
  loopbackOnly: boolean;
  grafanaSecret?: string;
}

export interface AlertRefusal {
  status: 401 | 403;
  error: string;
  headers?: Record<string, string>;
}

/** A signed delivery: remembered under `key` until `forgetAtMs`, so that its replay is refused. */
export interface SignedDelivery {
  key: string;
  forgetAtMs: number;
}

export type AlertCaller = { refused: AlertRefusal } | { signed?: SignedDelivery };

const SIGNATURE = 'X-Grafana-Alert-Signature';
const TIMESTAMP = 'X-Grafana-Alert-Timestamp';

export function authenticateAlert(
  source: AlertSource,
  headers: Record<string, string | undefined>,
  body: Buffer,
  { token, loopbackOnly, grafanaSecret }: AlertCredentials,
  nowMs: number,
): AlertCaller {
  if (source === 'grafana' && grafanaSecret) {
    if (token && presentsToken(headers.authorization, token)) {
      return refuse(
        `Grafana deliveries authenticate with their ${SIGNATURE} alone: remove ALERT_WEBHOOK_TOKEN from the contact point (it opens the other alert routes) and rotate it`,
      );
    }
    return grafanaSignature(headers, body, grafanaSecret, nowMs);
  }
  if (!token && !loopbackOnly) {
    return {
      refused: {
        status: 403,
        error: 'Alert webhooks are off: set ALERT_WEBHOOK_TOKEN to accept alerts on an address other than loopback',
      },
    };
  }
  if (token && !presentsToken(headers.authorization, token)) {
    return refuse(
      'Missing or wrong credentials: send Authorization: Bearer <ALERT_WEBHOOK_TOKEN> (or basic auth with it as the password)',
      { 'www-authenticate': 'Bearer, Basic realm="alerts"' },
    );
  }
  return {};
}

/** Grafana's HMAC-SHA256 (hex) of `timestamp:body`; the contact point must be set to send the timestamp header. */
function grafanaSignature(
  headers: Record<string, string | undefined>,
  body: Buffer,
  secret: string,
  nowMs: number,
): AlertCaller {
  const signature = headers[SIGNATURE.toLowerCase()];
  if (!signature)
    return refuse(`Missing ${SIGNATURE}: the Grafana contact point must sign with ALERT_GRAFANA_HMAC_SECRET`);
  const timestamp = headers[TIMESTAMP.toLowerCase()];
  const stamp = signedTimestamp(TIMESTAMP, timestamp, nowMs);
  if ('problem' in stamp) return refuse(`${stamp.problem} (set the contact point's HMAC timestamp header to it)`);
  if (!hmacMatches(secret, [`${timestamp}:`, body], signature))
    return refuse(`${SIGNATURE} does not match ${TIMESTAMP}:body (64 lowercase hex digits)`);
  return { signed: { key: signature, forgetAtMs: windowEndMs(stamp.seconds) } };
}

function refuse(error: string, headers?: Record<string, string>): { refused: AlertRefusal } {
  return { refused: { status: 401, error, ...(headers ? { headers } : {}) } };
}
