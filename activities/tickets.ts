import type { Ticket } from '../workflows/types.js';
import { retryAfterMs } from '../integrations/http/retry-after.js';
import { redact } from '../integrations/redaction/redact.js';
import { ServiceBusy, ServiceRefused } from '../integrations/service-errors.js';
import type { RecordRequest, TicketProvider, TicketRequest, TicketStatus } from '../integrations/ticketing/provider.js';
import { asActivityFailure } from './failure-classes.js';

export function createTicketActivities(
  tickets: TicketProvider,
  links: (incidentId: string) => { href: string; text: string }[] = () => [],
) {
  const withLinks = ({ incidentId, body }: { incidentId: string; body: string }) =>
    [body, ...links(incidentId).map((link) => `${link.text}: ${link.href}`)].join('\n');
  return {
    async openTicket(request: TicketRequest): Promise<{ ticket: Ticket; pollEvery?: string }> {
      const ticket = await tickets
        .open({ ...request, title: redact(request.title), body: redact(withLinks(request)) })
        .catch(classified);
      return tickets.pollEvery ? { ticket, pollEvery: tickets.pollEvery } : { ticket };
    },
    async openIncidentRecord(request: RecordRequest): Promise<Ticket> {
      return tickets
        .openRecord({ ...request, title: redact(request.title), body: redact(withLinks(request)) })
        .catch(classified);
    },
    /** Once per marker, however often it is retried. */
    async commentOnTicket({ ticket, marker, text }: { ticket: Ticket; marker: string; text: string }): Promise<void> {
      return tickets.comment(ticket, marker, redact(text)).catch(classified);
    },
    async closeIncidentRecord(ticket: Ticket): Promise<void> {
      return tickets.closeRecord(ticket).catch(classified);
    },
    async ticketStatus(ticket: Ticket): Promise<TicketStatus> {
      return tickets.status(ticket).catch(classified);
    },
  };
}

class TicketRefused extends ServiceRefused {
  override name = 'TicketRefused';
}

class TrackerBusy extends ServiceBusy {
  override name = 'TrackerBusy';
}

/**
 * Octokit's RequestError and the Jira client's errors carry the HTTP status (and the response headers).
 * 429, and GitHub's secondary rate limit (403 with Retry-After or no requests left), wait as told; any other
 * 4xx but 408 and 409 will not change on retry; 5xx and network errors take the usual backoff.
 */
function classified(err: unknown): never {
  const { status, response } = err as { status?: unknown; response?: { headers?: Record<string, string | undefined> } };
  if (typeof status !== 'number') asActivityFailure(err);
  const headers = response?.headers ?? (err as { headers?: Record<string, string | undefined> }).headers ?? {};
  const message = (err as Error).message;
  const limited =
    status === 429 ||
    (status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0'));
  if (limited) asActivityFailure(new TrackerBusy(`The ticket tracker is rate limiting: ${message}`, waitFor(headers)));
  if (status >= 400 && status < 500 && status !== 408 && status !== 409)
    asActivityFailure(new TicketRefused(`The ticket tracker refused: ${status} ${message}`));
  throw err;
}

/** Retry-After first; GitHub's x-ratelimit-reset (epoch seconds) otherwise; a minute if neither says. */
function waitFor(headers: Record<string, string | undefined>): number {
  const reset = Number(headers['x-ratelimit-reset']);
  return retryAfterMs(headers['retry-after']) ?? (reset > 0 ? Math.max(reset * 1_000 - Date.now(), 1_000) : 60_000);
}
