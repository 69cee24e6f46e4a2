// A real SMTP server (the smtp-server package) on 127.0.0.1 that keeps every message it accepts. Its
// bundled STARTTLS certificate has expired, so STARTTLS is off and the client speaks plain SMTP.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  /** Header names in lower case, values unfolded and decoded (RFC 2047). */
  headers: Map<string, string>;
  /** The body decoded (quoted-printable, base64), as a reader sees it. */
  body: string;
  to: string[];
}

export interface SmtpInbox {
  url: string;
  messages: ReceivedMail[];
  /**
   * The next `times` messages are stored, then answered with `code` (say 451, a temporary failure):
   * what a relay does when it takes a message and fails before confirming it.
   */
  failAfterStoring(code: number, times?: number): void;
  /**
   * The next message is stored and never answered (its connection hangs until the client goes away):
   * the moment between a server taking a message and the sender learning it did. Resolves with it.
   */
  holdAfterStoring(): Promise<ReceivedMail>;
  stop(): Promise<void>;
}

export async function startSmtpInbox(): Promise<SmtpInbox> {
  const messages: ReceivedMail[] = [];
  const failures: number[] = [];
  const holds: ((mail: ReceivedMail) => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail = parseMail(
          Buffer.concat(chunks).toString('utf8'),
          session.envelope.rcptTo.map((r) => r.address),
        );
        messages.push(mail);
        const hold = holds.shift();
        if (hold) return hold(mail);
        const code = failures.shift();
        if (code === undefined) return callback();
        const err = new Error('Temporary failure, try again') as Error & { responseCode: number };
        err.responseCode = code;
        callback(err);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    failAfterStoring: (code, times = 1) => failures.push(...Array<number>(times).fill(code)),
    holdAfterStoring: () => new Promise((resolve) => holds.push(resolve)),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function parseMail(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const body = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  return { raw, headers, body: encoding ? decodeBody(body, encoding) : body, to };
}

const hexBytes = (text: string) =>
  Buffer.from(
    text.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  );

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return hexBytes(body.replace(/=\r\n/g, '')).toString('utf8');
  return body;
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
      kind.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : hexBytes(text.replace(/_/g, ' ')).toString('utf8'),
    );
}
