import type { Ticket } from '../workflows/model.js';
import type { TicketProvider, TicketRequest, TicketStatus } from '../integrations/ticketing/provider.js';

export function createTicketActivities(tickets: TicketProvider) {
  return {
    async openTicket(request: TicketRequest): Promise<{ ticket: Ticket; pollEvery?: string }> {
      const ticket = await tickets.open(request);
      return tickets.pollEvery ? { ticket, pollEvery: tickets.pollEvery } : { ticket };
    },
    async ticketStatus(ticket: Ticket): Promise<TicketStatus> {
      return tickets.status(ticket);
    },
  };
}
