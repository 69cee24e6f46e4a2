import { Octokit } from '@octokit/rest';
import type { Ticket } from './provider.js';
import {
  actionLabel,
  commentMarker,
  recordLabel,
  type RecordRequest,
  type TicketProvider,
  type TicketRequest,
  type TicketStatus,
} from './provider.js';

export interface GitHubTicketsConfig {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** `https://api.github.com` by default; GitHub Enterprise Server or a test double otherwise. */
  apiUrl?: string;
  /** A webhook secret is configured: closures arrive at /webhooks/tickets/github, no polling needed. */
  webhooks: boolean;
}

/** GitHub refuses bodies over 65,536 characters. */
const MAX_BODY = 65_000;

interface Issue {
  number: number;
  html_url: string;
  state: string;
  closed_at?: string | null;
  closed_by?: { login: string } | null;
}

/** Corrective actions as GitHub issues, through the official REST client. */
export class GitHubTicketProvider implements TicketProvider {
  readonly name = 'github';
  readonly pollEvery: string | undefined;
  private readonly octokit: Octokit;
  private readonly owner: string;
  private readonly repo: string;

  constructor(config: GitHubTicketsConfig) {
    const [owner, repo] = config.repository.split('/');
    if (!owner || !repo) throw new Error(`GITHUB_REPOSITORY must be owner/name, not "${config.repository}"`);
    this.owner = owner;
    this.repo = repo;
    this.octokit = new Octokit({
      auth: config.token,
      baseUrl: config.apiUrl ?? 'https://api.github.com',
      userAgent: 'ai-incident-response',
    });
    this.pollEvery = config.webhooks ? undefined : '15m';
  }

  async open(request: TicketRequest): Promise<Ticket> {
    const label = actionLabel(request.externalId);
    const { data: filed } = await this.octokit.rest.issues.listForRepo({
      owner: this.owner,
      repo: this.repo,
      labels: label,
      state: 'all',
      per_page: 1,
    });
    if (filed[0]) return this.ticket(filed[0]);
    const { data } = await this.octokit.rest.issues.create({
      owner: this.owner,
      repo: this.repo,
      title: request.title,
      body: `${request.body}\n\nOwner: @${request.owner}. Due: ${request.dueAt.slice(0, 10)}. Close this issue when the action is done.`,
      labels: [...request.labels, label],
    });
    return this.ticket(data);
  }

  async openRecord(request: RecordRequest): Promise<Ticket> {
    const label = recordLabel(request.incidentId);
    const { data: filed } = await this.octokit.rest.issues.listForRepo({
      owner: this.owner,
      repo: this.repo,
      labels: label,
      state: 'all',
      per_page: 1,
    });
    if (filed[0]) return this.ticket(filed[0]);
    const { data } = await this.octokit.rest.issues.create({
      owner: this.owner,
      repo: this.repo,
      title: request.title,
      body: request.body.slice(0, MAX_BODY),
      labels: [...request.labels, label],
    });
    return this.ticket(data);
  }

  async comment(ticket: Ticket, marker: string, text: string): Promise<void> {
    const tag = `<!-- ${commentMarker(marker)} -->`;
    const issue = { owner: this.owner, repo: this.repo, issue_number: this.number(ticket) };
    const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...issue, per_page: 100 });
    if (comments.some((c) => c.body?.includes(tag))) return;
    await this.octokit.rest.issues.createComment({ ...issue, body: `${text.slice(0, MAX_BODY)}\n\n${tag}` });
  }

  async closeRecord(ticket: Ticket): Promise<void> {
    await this.octokit.rest.issues.update({
      owner: this.owner,
      repo: this.repo,
      issue_number: this.number(ticket),
      state: 'closed',
      state_reason: 'completed',
    });
  }

  async status(ticket: Ticket): Promise<TicketStatus> {
    const { data } = await this.octokit.rest.issues.get({
      owner: this.owner,
      repo: this.repo,
      issue_number: this.number(ticket),
    });
    const closed = data.state === 'closed';
    return {
      ticket: this.ticket(data),
      closed,
      ...(closed && data.closed_by?.login ? { closedBy: data.closed_by.login } : {}),
      ...(closed && data.closed_at ? { closedAt: data.closed_at } : {}),
    };
  }

  private number(ticket: Ticket): number {
    return Number(ticket.key.replace(/^#/, ''));
  }

  private ticket(issue: Issue): Ticket {
    return { provider: this.name, key: `#${issue.number}`, url: issue.html_url };
  }
}
