import { ApplicationFailure } from '@temporalio/common';
import type { Ticket } from '../workflows/model.js';
import type { TicketProvider, TicketRequest, TicketStatus } from '../integrations/ticketing/provider.js';

export function createTicketActivities(tickets: TicketProvider) {
  return {
    async openTicket(request: TicketRequest): Promise<{ ticket: Ticket; pollEvery?: string }> {
      const ticket = await refusalsFinal(() => tickets.open(request));
      return tickets.pollEvery ? { ticket, pollEvery: tickets.pollEvery } : { ticket };
    },
    async ticketStatus(ticket: Ticket): Promise<TicketStatus> {
      return refusalsFinal(() => tickets.status(ticket));
    },
  };
}

/** A tracker's 4xx (bad token, no such repository) will not change on retry; 408, 429 and 5xx may. */
async function refusalsFinal<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429) {
      throw ApplicationFailure.nonRetryable(`The ticket tracker refused: ${status} ${(err as Error).message}`, 'TicketRefused');
    }
    throw err;
  }
}
