import type { Ticket } from './provider.js';
import { ServiceRefused } from '../service-errors.js';
import {
  actionLabel,
  commentMarker,
  recordLabel,
  type RecordRequest,
  type TicketProvider,
  type TicketRequest,
  type TicketStatus,
} from './provider.js';

export interface JiraTicketsConfig {
  /** `https://<site>.atlassian.net`. */
  baseUrl: string;
  email: string;
  apiToken: string;
  projectKey: string;
  /** A webhook secret is configured: closures arrive at /webhooks/tickets/jira, no polling needed. */
  webhooks: boolean;
  issueType?: string;
}

interface JiraIssue {
  key: string;
  fields?: { status?: { statusCategory?: { key?: string } }; resolutiondate?: string | null };
}

/** Corrective actions as Jira Cloud issues, through REST v3 (`/search/jql` to find one already filed). */
export class JiraTicketProvider implements TicketProvider {
  readonly name = 'jira';
  readonly pollEvery: string | undefined;
  private readonly baseUrl: string;

  constructor(private readonly config: JiraTicketsConfig) {
    this.baseUrl = config.baseUrl.replace(/\/$/, '');
    this.pollEvery = config.webhooks ? undefined : '15m';
  }

  open(request: TicketRequest): Promise<Ticket> {
    return this.findOrFile(actionLabel(request.externalId), request, {
      duedate: request.dueAt.slice(0, 10),
      description: {
        type: 'doc',
        version: 1,
        content: [
          {
            type: 'paragraph',
            content: [
              {
                type: 'text',
                text: `${request.body}\nOwner: ${request.owner}. Resolve this issue when the action is done.`,
              },
            ],
          },
        ],
      },
    });
  }

  openRecord(request: RecordRequest): Promise<Ticket> {
    return this.findOrFile(recordLabel(request.incidentId), request, { description: document(request.body) });
  }

  /** Jira comments have no hidden markup, so the marker is a last, visible line. */
  async comment(ticket: Ticket, marker: string, text: string): Promise<void> {
    const tag = `(${commentMarker(marker)})`;
    const path = `/rest/api/3/issue/${encodeURIComponent(ticket.key)}/comment`;
    const { comments } = await this.call<{ comments: { body: unknown }[] }>('GET', `${path}?maxResults=5000`);
    if (comments.some((c) => JSON.stringify(c.body).includes(tag))) return;
    await this.call('POST', path, { body: document(`${text}\n${tag}`) });
  }

  async closeRecord(ticket: Ticket): Promise<void> {
    if ((await this.status(ticket)).closed) return;
    const path = `/rest/api/3/issue/${encodeURIComponent(ticket.key)}/transitions`;
    const { transitions } = await this.call<{
      transitions: { id: string; name: string; to?: { statusCategory?: { key?: string } } }[];
    }>('GET', path);
    const done = transitions.find((t) => t.to?.statusCategory?.key === 'done');
    if (!done)
      throw new ServiceRefused(
        `Jira ${ticket.key} has no transition to a Done status (transitions: ${transitions.map((t) => t.name).join(', ') || 'none'})`,
      );
    await this.call('POST', path, { transition: { id: done.id } });
  }

  async status(ticket: Ticket): Promise<TicketStatus> {
    const issue = await this.call<JiraIssue>(
      'GET',
      `/rest/api/3/issue/${encodeURIComponent(ticket.key)}?fields=status,resolutiondate`,
    );
    const closed = issue.fields?.status?.statusCategory?.key === 'done';
    return {
      ticket: this.ticket(issue.key),
      closed,
      ...(closed ? { closedBy: 'jira' } : {}),
      ...(closed && issue.fields?.resolutiondate ? { closedAt: issue.fields.resolutiondate } : {}),
    };
  }

  /** The issue carrying `label` if one was filed (by an earlier attempt), else a new one. */
  private async findOrFile(
    label: string,
    request: { title: string; labels: string[] },
    fields: Record<string, unknown>,
  ): Promise<Ticket> {
    const found = await this.call<{ issues: JiraIssue[] }>('POST', '/rest/api/3/search/jql', {
      jql: `project = "${this.config.projectKey}" AND labels = "${label}"`,
      fields: ['status'],
      maxResults: 1,
    });
    if (found.issues[0]) return this.ticket(found.issues[0].key);
    const created = await this.call<{ key: string }>('POST', '/rest/api/3/issue', {
      fields: {
        project: { key: this.config.projectKey },
        issuetype: { name: this.config.issueType ?? 'Task' },
        summary: request.title.slice(0, 254),
        labels: [...request.labels, label].map((l) => l.replace(/\s+/g, '-')),
        ...fields,
      },
    });
    return this.ticket(created.key);
  }

  private ticket(key: string): Ticket {
    return { provider: this.name, key, url: `${this.baseUrl}/browse/${key}` };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${this.config.email}:${this.config.apiToken}`).toString('base64')}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T; // transitions answer 204, no body
    const reason = (() => {
      try {
        const parsed = JSON.parse(text) as { errorMessages?: string[]; errors?: Record<string, string> };
        return (
          [
            ...(parsed.errorMessages ?? []),
            ...Object.entries(parsed.errors ?? {}).map(([field, message]) => `${field}: ${message}`),
          ].join('; ') || text
        );
      } catch {
        return text;
      }
    })();
    throw Object.assign(new Error(`Jira ${method} ${path.split('?')[0]}: ${response.status} ${reason}`), {
      status: response.status,
      headers: Object.fromEntries(response.headers),
    });
  }
}

/** Plain text as an Atlassian Document: one paragraph per line (Jira renders no Markdown). */
function document(text: string): unknown {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return {
    type: 'doc',
    version: 1,
    content: lines.map((line) => ({ type: 'paragraph', content: [{ type: 'text', text: line }] })),
  };
}
