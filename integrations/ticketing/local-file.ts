import { JsonFile } from '../local-store/json-file.js';
import type { Ticket } from './provider.js';
import {
  commentMarker,
  recordLabel,
  type RecordRequest,
  type TicketProvider,
  type TicketRequest,
  type TicketStatus,
} from './provider.js';

/** A corrective action's ticket, or an incident's record (whose externalId is its record label). */
type LocalTicket = (TicketRequest | (RecordRequest & { externalId: string })) & {
  key: string;
  createdAt: string;
  closed: boolean;
  closedBy?: string;
  closedAt?: string;
  comments?: { marker: string; text: string; at: string }[];
};

interface TicketFile {
  next: number;
  tickets: LocalTicket[];
}

export class TicketNotFound extends Error {
  override name = 'TicketNotFound';
}

/** The embedded ticket tracker: tickets in a JSON file, closed through the API or the CLI. */
export class LocalFileTicketProvider implements TicketProvider {
  readonly name = 'local';
  private readonly file: JsonFile<TicketFile>;

  /** Closing through the API tells the action at once; `pollEvery` also catches tickets closed in the file by hand. */
  constructor(
    readonly path: string,
    readonly options: { pollEvery?: string } = {},
  ) {
    this.file = new JsonFile(path, { keepParsed: true }); // a tracker of 10,000 tickets is not parsed per call
  }

  get pollEvery(): string | undefined {
    return this.options.pollEvery;
  }

  open(request: TicketRequest | (RecordRequest & { externalId: string })): Promise<Ticket> {
    return this.file.exclusive(async () => {
      const store = await this.load();
      const existing = store.tickets.find((t) => t.externalId === request.externalId);
      if (existing) return this.ticket(existing);
      const created: LocalTicket = {
        ...request,
        key: `LOCAL-${store.next}`,
        createdAt: new Date().toISOString(),
        closed: false,
      };
      store.next++;
      store.tickets.push(created);
      await this.file.write(store);
      return this.ticket(created);
    });
  }

  openRecord(request: RecordRequest): Promise<Ticket> {
    return this.open({ ...request, externalId: recordLabel(request.incidentId) });
  }

  comment(ticket: Ticket, marker: string, text: string): Promise<void> {
    return this.file.exclusive(async () => {
      const store = await this.load();
      const found = this.find(store, ticket.key);
      const tag = commentMarker(marker);
      if (found.comments?.some((c) => c.marker === tag)) return;
      found.comments = [...(found.comments ?? []), { marker: tag, text, at: new Date().toISOString() }];
      await this.file.write(store);
    });
  }

  async closeRecord(ticket: Ticket): Promise<void> {
    await this.close(ticket.key, 'incident-response');
  }

  async status(ticket: Ticket): Promise<TicketStatus> {
    return this.statusOf(this.find(await this.load(), ticket.key));
  }

  /** Closes a ticket as the tracker's user would; closing it again changes nothing. */
  close(key: string, by: string): Promise<TicketStatus> {
    return this.file.exclusive(async () => {
      const store = await this.load();
      const ticket = this.find(store, key);
      if (!ticket.closed) {
        Object.assign(ticket, { closed: true, closedBy: by, closedAt: new Date().toISOString() });
        await this.file.write(store);
      }
      return this.statusOf(ticket);
    });
  }

  private find(store: TicketFile, key: string): LocalTicket {
    const ticket = store.tickets.find((t) => t.key === key);
    if (!ticket) throw new TicketNotFound(`No ticket ${key} in ${this.path}`);
    return ticket;
  }

  private statusOf(t: LocalTicket): TicketStatus {
    return {
      ticket: this.ticket(t),
      closed: t.closed,
      ...(t.closedBy ? { closedBy: t.closedBy } : {}),
      ...(t.closedAt ? { closedAt: t.closedAt } : {}),
    };
  }

  private ticket(t: LocalTicket): Ticket {
    return { provider: this.name, key: t.key, url: `file://${this.path}#${t.key}` };
  }

  private async load(): Promise<TicketFile> {
    return (await this.file.read()) ?? { next: 1, tickets: [] };
  }
}
