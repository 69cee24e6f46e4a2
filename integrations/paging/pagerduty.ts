import { api, event } from '@pagerduty/pdjs';
import type { EventPayloadV2, Severity as PagerDutySeverity } from '@pagerduty/pdjs/build/src/events.js';
import type { Severity } from '../../runbooks/vocabulary.js';
import { retryAfterMs } from '../http/retry-after.js';
import { PageRefused, PagingServiceBusy, type Page, type Pager, type PageUpdate } from './provider.js';

export interface PagerDutyConfig {
  /** The Events API v2 integration key of the service that owns the AI features. */
  routingKey: string;
  /** Host (and port) of the Events API; pdjs always speaks HTTPS to it. */
  eventsServer?: string;
  /** With a REST API token, a page is followed by a look-up of the PagerDuty incident it opened. */
  apiToken?: string;
  apiUrl?: string;
  /** Shown as the event's source. */
  source: string;
  /** Links attached to the alert: where the incident is run (Slack channel, Temporal UI, the product's API). */
  linksFor(incidentId: string): { href: string; text: string }[];
}

const SEVERITY: Record<Severity, PagerDutySeverity> = { P0: 'critical', P1: 'critical', P2: 'error', P3: 'warning' };
/**
 * pdjs repeats a 429 three times by itself: keep those pauses short and let Temporal own the real backoff.
 * Its request timeout never aborts anything and only holds a timer; the activity's timeout bounds the call.
 */
const PDJS_OPTIONS = { retryTimeout: 500, requestTimeout: 0 };

/**
 * PagerDuty Events API v2 through pdjs. The incident id is the dedup key, so a retried or repeated trigger
 * joins the alert already open instead of paging again; acknowledge and resolve follow the incident.
 */
export class PagerDutyPager implements Pager {
  constructor(private readonly config: PagerDutyConfig) {}

  async trigger(page: Page): Promise<{ delivered: string }> {
    await this.send({
      routing_key: this.config.routingKey,
      event_action: 'trigger',
      dedup_key: page.incidentId,
      payload: {
        summary: `${page.incidentId} ${page.summary}`.slice(0, 1024),
        source: this.config.source,
        severity: SEVERITY[page.severity],
        custom_details: { incident: page.incidentId, severity: page.severity, rotations: page.targets },
      },
      links: this.config.linksFor(page.incidentId),
    });
    const opened = await this.findIncident(page.incidentId);
    return { delivered: `PagerDuty (dedup key ${page.incidentId})${opened ? `: ${opened}` : ''}` };
  }

  async update({ incidentId, action }: PageUpdate): Promise<{ delivered: string }> {
    await this.send({
      routing_key: this.config.routingKey,
      event_action: action,
      dedup_key: incidentId,
      // PagerDuty ignores the payload of acknowledge and resolve events; pdjs's types require one.
      payload: { summary: incidentId, source: this.config.source, severity: 'info' },
    });
    return { delivered: `PagerDuty (dedup key ${incidentId})` };
  }

  private async send(data: EventPayloadV2): Promise<void> {
    const what = `PagerDuty ${data.event_action} for ${data.dedup_key}`;
    const response = await event({
      data,
      ...PDJS_OPTIONS,
      ...(this.config.eventsServer ? { server: this.config.eventsServer } : {}),
    });
    if (response.status === 202) return;
    const reason = describeErrors(response.data);
    if (response.status === 429)
      throw new PagingServiceBusy(`${what}: rate limited`, retryAfterMs(response.headers.get('retry-after')) ?? 30_000);
    if (response.status >= 400 && response.status < 500) throw new PageRefused(`${what}: ${response.status} ${reason}`);
    throw new Error(`${what}: ${response.status} ${reason}`);
  }

  /** Best effort: PagerDuty opens its incident shortly after accepting the event, so it may not be there yet. */
  private async findIncident(dedupKey: string): Promise<string | undefined> {
    if (!this.config.apiToken) return undefined;
    try {
      const response = await api({
        token: this.config.apiToken,
        url: `${(this.config.apiUrl ?? 'https://api.pagerduty.com').replace(/\/$/, '')}/incidents`,
        queryParameters: { incident_key: dedupKey },
        ...PDJS_OPTIONS,
      });
      const incident = (response.data as { incidents?: PagerDutyIncident[] } | undefined)?.incidents?.[0];
      if (!response.ok || !incident) return undefined;
      const assignees = (incident.assignments ?? []).map((a) => a.assignee?.summary).filter(Boolean);
      return `incident #${incident.incident_number} ${incident.html_url}${assignees.length ? `, assigned to ${assignees.join(', ')}` : ''}`;
    } catch {
      return undefined;
    }
  }
}

interface PagerDutyIncident {
  incident_number: number;
  html_url: string;
  assignments?: { assignee?: { summary?: string } }[];
}

/** The Events API answers `{ status, message, errors: [...] }`. */
function describeErrors(body: unknown): string {
  const { message, errors } = (body ?? {}) as { message?: string; errors?: string[] };
  return [message, ...(errors ?? [])].filter(Boolean).join('; ') || 'no reason given';
}
