// A contract fake of PagerDuty on 127.0.0.1: the Events API v2 (`POST /v2/enqueue`, over HTTPS because pdjs
// only speaks HTTPS to it) with its validation errors and dedup-key semantics, and the REST API's
// `GET /incidents?incident_key=` (plain HTTP, since pdjs's api() takes a full URL). It records every request.
import { answer, startJsonFake, type FakeAnswer, type FakeRequest } from './json-fake-server.js';
import type { TestCertificate } from './test-certificate.js';

export interface FakeAlert {
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** The PagerDuty incident this alert opened; a trigger on an open alert joins it. */
  incidentNumber: number;
  summary: string;
  severity: string;
  links: { href: string; text?: string }[];
}

export interface PagerDutyFake {
  /** host:port, as PAGERDUTY_EVENTS_SERVER takes it. */
  eventsServer: string;
  apiUrl: string;
  events: FakeRequest[];
  apiRequests: FakeRequest[];
  alerts: Map<string, FakeAlert>;
  /** How many PagerDuty incidents were opened: what actually wakes people. */
  incidentsOpened(): number;
  /** The next `count` events get `status`, with these headers. */
  failEvents(count: number, status: number, headers?: Record<string, string>): void;
  stop(): Promise<void>;
}

const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export async function startPagerDutyFake({
  routingKey,
  apiToken,
  certificate,
}: {
  routingKey: string;
  apiToken: string;
  certificate: TestCertificate;
}): Promise<PagerDutyFake> {
  const alerts = new Map<string, FakeAlert>();
  let opened = 0;
  let failures: { count: number; status: number; headers: Record<string, string> } = {
    count: 0,
    status: 0,
    headers: {},
  };

  const enqueue = ({ method, url, body }: FakeRequest): FakeAnswer => {
    if (method !== 'POST' || url.pathname !== '/v2/enqueue')
      return answer(404, { status: 'not found', message: 'Not found' });
    if (failures.count > 0) {
      failures.count--;
      return answer(
        failures.status,
        {
          status: 'throttled',
          message:
            failures.status === 429
              ? 'Requests for this service are arriving too quickly. Please retry later.'
              : 'Internal error',
        },
        failures.headers,
      );
    }
    const errors = invalidEvent(body, routingKey);
    if (errors.length) return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    const key: string = body.dedup_key;
    const alert = alerts.get(key);
    if (body.event_action === 'trigger') {
      if (!alert || alert.status === 'resolved') {
        opened++;
        alerts.set(key, {
          dedupKey: key,
          status: 'triggered',
          incidentNumber: opened,
          summary: body.payload.summary,
          severity: body.payload.severity,
          links: body.links ?? [],
        });
      }
    } else if (alert && alert.status !== 'resolved') {
      alert.status = body.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
    }
    return answer(202, { status: 'success', message: 'Event processed', dedup_key: key });
  };

  const rest = ({ method, url, headers }: FakeRequest): FakeAnswer => {
    if (headers.authorization !== `Token token=${apiToken}`)
      return answer(401, { error: { message: 'Unauthorized', code: 2006 } });
    if (headers.accept !== 'application/vnd.pagerduty+json;version=2')
      return answer(406, { error: { message: 'Not Acceptable', code: 2001 } });
    if (method !== 'GET' || url.pathname !== '/incidents')
      return answer(404, { error: { message: 'Not Found', code: 2100 } });
    const key = url.searchParams.get('incident_key');
    const found = [...alerts.values()].filter((a) => !key || a.dedupKey === key);
    return answer(200, {
      incidents: found.map((a) => ({
        incident_number: a.incidentNumber,
        incident_key: a.dedupKey,
        status: a.status,
        html_url: `https://acme.pagerduty.com/incidents/Q${a.incidentNumber}`,
        assignments: [{ assignee: { summary: 'Dana On-call', type: 'user_reference' } }],
      })),
      limit: 25,
      offset: 0,
      more: false,
    });
  };

  const events = await startJsonFake(enqueue, { tls: certificate });
  const api = await startJsonFake(rest);
  return {
    eventsServer: new URL(events.url).host,
    apiUrl: api.url,
    events: events.requests,
    apiRequests: api.requests,
    alerts,
    incidentsOpened: () => opened,
    failEvents(count, status, headers = {}) {
      failures = { count, status, headers };
    },
    stop: async () => {
      await Promise.all([events.stop(), api.stop()]);
    },
  };
}

/** What PagerDuty checks before accepting an event. */
function invalidEvent(body: any, routingKey: string): string[] {
  const errors: string[] = [];
  if (body?.routing_key !== routingKey) errors.push('Invalid routing key');
  if (!ACTIONS.includes(body?.event_action)) errors.push("'event_action' is invalid");
  if (typeof body?.dedup_key === 'string' && body.dedup_key.length > 255) errors.push("'dedup_key' is too long");
  if (body?.event_action !== 'trigger') {
    if (typeof body?.dedup_key !== 'string' || !body.dedup_key) errors.push("'dedup_key' is missing");
    return errors;
  }
  const payload = body.payload ?? {};
  if (typeof payload.summary !== 'string' || !payload.summary) errors.push("'payload.summary' is missing");
  else if (payload.summary.length > 1024) errors.push("'payload.summary' is too long");
  if (typeof payload.source !== 'string' || !payload.source) errors.push("'payload.source' is missing");
  if (!SEVERITIES.includes(payload.severity)) errors.push("'payload.severity' is invalid");
  return errors;
}
