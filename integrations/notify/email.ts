// E-mail through SMTP (nodemailer): one message per recipient, with a Message-ID derived from the
// delivery's idempotency key (a retried send is the same message, which mail stores drop as a duplicate)
// and In-Reply-To/References to the incident's first message, so mail clients thread an incident.
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { redact } from '../redaction/redact.js';
import { ServiceRefused } from '../service-errors.js';
import type { OutgoingMessage } from './message.js';

export interface SmtpConfig {
  /** SMTP_URL: smtp://user:pass@host:587 or smtps://…:465; a credential, never logged. */
  url: string;
  /** SMTP_FROM: the sender, `Incidents <incidents@example.com>`. */
  from: string;
}

export class EmailChannel {
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(private readonly config: SmtpConfig) {
    this.transport = nodemailer.createTransport({
      url: config.url,
      pool: true,
      maxConnections: 4,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    this.domain = /@([^>\s]+)>?\s*$/.exec(config.from)?.[1] ?? 'incident-response.invalid';
  }

  /** `<hash of the key@sender's domain>`: the same key, the same Message-ID, on every attempt. */
  messageIdFor(key: string): string {
    return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@${this.domain}>`;
  }

  /** Sends one message to `to`; `threadRoot` is the Message-ID of the incident's first message to them. */
  async send(to: string, message: OutgoingMessage, threadRoot?: string): Promise<{ messageId: string }> {
    const messageId = this.messageIdFor(message.key);
    const replyTo = threadRoot && threadRoot !== messageId ? threadRoot : undefined;
    try {
      const info = await this.transport.sendMail({
        from: this.config.from,
        to,
        subject: `[${message.incidentId}] ${message.subject}`,
        text: `${message.text}\n\n-- \nIncident ${message.incidentId}. You receive this as ${message.recipients.join(', ')}.`,
        messageId,
        ...(replyTo ? { inReplyTo: replyTo, references: [replyTo] } : {}),
        headers: { 'X-Incident-Id': message.incidentId, 'Auto-Submitted': 'auto-generated' },
      });
      if (info.rejected?.length) throw new ServiceRefused(`the SMTP server refused the recipient`);
      return { messageId };
    } catch (err) {
      classifySmtpError(err);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** 5xx and bad credentials will not change on retry; 4xx and connection trouble may. */
function classifySmtpError(err: unknown): never {
  if (err instanceof ServiceRefused) throw err;
  const e = err as { code?: string; responseCode?: number; message?: string };
  const why = redact(e.message ?? String(err)).slice(0, 300);
  if (e.code === 'EAUTH') throw new ServiceRefused(`the SMTP server refused the credentials (${why})`);
  if (e.responseCode !== undefined && e.responseCode >= 500) throw new ServiceRefused(`SMTP ${e.responseCode}: ${why}`);
  throw new Error(`SMTP ${e.responseCode ?? e.code ?? 'failure'}: ${why}`);
}
