// Every Slack request, whichever receiver takes it (this server's or the Lambda's), passes here first:
// the signature over the raw bytes, a timestamp within five minutes either way (Bolt's own check
// bounds only the past), the same signed request at most once, and a body of a shape Slack sends, so
// that nothing malformed reaches Bolt (where it threw, and a 500 makes Slack retry it).
import { parse as parseForm } from 'node:querystring';
import { z } from 'zod';
import { REPLAY_STATUS, ReplayGuard } from '../http/replay-guard.js';
import { hmacMatches } from '../http/secret-compare.js';
import { signedTimestamp, windowEndMs } from '../http/signed-timestamp.js';

const SIGNATURE = 'X-Slack-Signature';
const TIMESTAMP = 'X-Slack-Request-Timestamp';

const slashCommand = z.looseObject({ command: z.string().min(1), user_id: z.string().min(1) });
/** Interactivity: block actions, view submissions and closes, shortcuts, block suggestions; all by a user. */
const interaction = z.looseObject({ type: z.string().min(1), user: z.looseObject({ id: z.string().min(1) }) });
const eventsApi = z.union([
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string() }),
  z.looseObject({ type: z.literal('event_callback'), event: z.looseObject({ type: z.string().min(1) }) }),
  z.looseObject({ type: z.string().refine((type) => type !== 'url_verification' && type !== 'event_callback') }),
]);

export interface SlackRefusal {
  status: number;
  body: { error: string; details: [] };
}

export type SlackAdmission =
  | { refused: SlackRefusal }
  | {
      body: Record<string, unknown>;
      /** The request was not handled after all (a 5xx): Slack's retry of it must be let in. */
      release: () => void;
    };

export class SlackRequestGate {
  private readonly replays: ReplayGuard;

  constructor(
    private readonly signingSecret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.replays = new ReplayGuard(now);
  }

  admit(headers: Record<string, string | undefined>, rawBody: Buffer): SlackAdmission {
    const timestamp = headers[TIMESTAMP.toLowerCase()];
    const stamp = signedTimestamp(TIMESTAMP, timestamp, this.now());
    if ('problem' in stamp) return refuse(401, `Not a request from your Slack app: ${stamp.problem}`);
    const signature = headers[SIGNATURE.toLowerCase()] ?? '';
    const hex = signature.startsWith('v0=') ? signature.slice(3) : '';
    if (!hmacMatches(this.signingSecret, [`v0:${timestamp}:`, rawBody], hex)) {
      return refuse(401, `Not a request from your Slack app: ${SIGNATURE} does not match v0:timestamp:body`);
    }
    const body = readBody(rawBody.toString('utf8'), headers['content-type']);
    if (typeof body === 'string') return refuse(400, `Unreadable Slack request body: ${body}`);
    if (!this.replays.claim([hex], windowEndMs(stamp.seconds))) {
      return refuse(REPLAY_STATUS, 'This signed Slack request was already received: a replay, refused');
    }
    return { body, release: () => this.replays.release([hex]) };
  }
}

/** The body as Bolt reads it, or what is wrong with it. */
function readBody(text: string, contentType: string | undefined): Record<string, unknown> | string {
  try {
    if (contentType?.startsWith('application/x-www-form-urlencoded')) {
      const form = parseForm(text);
      if (form.payload === undefined) return shaped(slashCommand, form);
      if (typeof form.payload !== 'string') return 'more than one payload field';
      return shaped(interaction, JSON.parse(form.payload));
    }
    return shaped(eventsApi, JSON.parse(text));
  } catch (err) {
    return (err as Error).message;
  }
}

function shaped(schema: z.ZodType<Record<string, unknown>>, value: unknown): Record<string, unknown> | string {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  return `not a request Slack sends (${result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')})`;
}

function refuse(status: number, error: string): { refused: SlackRefusal } {
  return { refused: { status, body: { error, details: [] } } };
}
