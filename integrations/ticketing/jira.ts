import type { Ticket } from '../../workflows/model.js';
import { actionLabel, type TicketProvider, type TicketRequest, type TicketStatus } from './provider.js';

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

  async open(request: TicketRequest): Promise<Ticket> {
    const label = actionLabel(request.externalId);
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
        duedate: request.dueAt.slice(0, 10),
        description: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: `${request.body}\nOwner: ${request.owner}. Resolve this issue when the action is done.` }] }],
        },
      },
    });
    return this.ticket(created.key);
  }

  async status(ticket: Ticket): Promise<TicketStatus> {
    const issue = await this.call<JiraIssue>('GET', `/rest/api/3/issue/${encodeURIComponent(ticket.key)}?fields=status,resolutiondate`);
    const closed = issue.fields?.status?.statusCategory?.key === 'done';
    return { ticket: this.ticket(issue.key), closed, ...(closed ? { closedBy: 'jira' } : {}), ...(closed && issue.fields?.resolutiondate ? { closedAt: issue.fields.resolutiondate } : {}) };
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
    if (response.ok) return JSON.parse(text) as T;
    const reason = (() => {
      try {
        const parsed = JSON.parse(text) as { errorMessages?: string[]; errors?: Record<string, string> };
        return [...(parsed.errorMessages ?? []), ...Object.entries(parsed.errors ?? {}).map(([field, message]) => `${field}: ${message}`)].join('; ') || text;
      } catch {
        return text;
      }
    })();
    throw Object.assign(new Error(`Jira ${method} ${path.split('?')[0]}: ${response.status} ${reason}`), { status: response.status, headers: Object.fromEntries(response.headers) });
  }
}
