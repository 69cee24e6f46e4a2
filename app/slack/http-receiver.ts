// Slack's HTTP requests (slash commands, interactivity, events) on the product's own server: each
// request's signature is checked before anything else, then Bolt gets the parsed body and an `ack`
// that answers the HTTP request at once, so listeners do their slow work after Slack has its answer.
import { parse as parseForm } from 'node:querystring';
import { verifySlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../integrations/log.js';

export interface SlackHttpAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

const empty: SlackHttpAnswer = { status: 200, body: '', contentType: 'text/plain; charset=utf-8' };

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;

  constructor(
    private readonly signingSecret: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async handle(headers: Record<string, string | undefined>, rawBody: Buffer): Promise<SlackHttpAnswer> {
    const text = rawBody.toString('utf8');
    try {
      verifySlackRequest({
        signingSecret: this.signingSecret,
        body: text,
        headers: {
          'x-slack-signature': headers['x-slack-signature'] ?? '',
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
        nowMilliseconds: this.now(),
      });
    } catch (err) {
      return {
        status: 401,
        body: {
          error: `Not a request from your Slack app: ${(err as Error).message.replace(/^Failed to verify authenticity: /, '')}`,
          details: [],
        },
      };
    }

    let body: Record<string, unknown>;
    try {
      body = parseBody(text, headers['content-type']);
    } catch (err) {
      return { status: 400, body: { error: `Unreadable Slack request body: ${(err as Error).message}`, details: [] } };
    }
    if (body.type === 'url_verification') return { status: 200, body: { challenge: body.challenge } };
    if (!this.app) return { status: 503, body: { error: 'Slack app not ready', details: [] } };

    let answer!: (response: SlackHttpAnswer) => void;
    const answered = new Promise<SlackHttpAnswer>((resolve) => (answer = resolve));
    let acked = false;
    const event: ReceiverEvent = {
      body,
      ack: async (reply?: unknown) => {
        if (acked) return;
        acked = true;
        answer(
          reply === undefined || reply === ''
            ? empty
            : typeof reply === 'string'
              ? { ...empty, body: reply }
              : { status: 200, body: reply },
        );
      },
      ...(headers['x-slack-retry-num'] ? { retryNum: Number(headers['x-slack-retry-num']) } : {}),
      ...(headers['x-slack-retry-reason'] ? { retryReason: headers['x-slack-retry-reason'] } : {}),
    };
    void this.app.processEvent(event).then(
      () => answer(empty), // nothing listens for it: Slack needs a 200 all the same, or it retries
      (err: unknown) => {
        this.log.error('slack: a listener failed', { error: (err as Error).message });
        if (!acked)
          answer({ status: 500, body: { error: 'The Slack request failed; see the server log', details: [] } });
      },
    );
    return answered;
  }
}

function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const form = parseForm(text);
    return typeof form.payload === 'string' ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
  }
  return JSON.parse(text) as Record<string, unknown>;
}
