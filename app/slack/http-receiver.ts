// Slack's HTTP requests (slash commands, interactivity, events) on the product's own server: each
// request passes the gate (signature, timestamp, replay, shape; request-gate.ts) before anything else, then Bolt gets the parsed body and an `ack`
// that answers the HTTP request at once, so listeners do their slow work after Slack has its answer.
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../integrations/log.js';
import { SlackRequestGate } from './request-gate.js';

export interface SlackHttpAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

const empty: SlackHttpAnswer = { status: 200, body: '', contentType: 'text/plain; charset=utf-8' };

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private readonly gate: SlackRequestGate;

  constructor(
    signingSecret: string,
    private readonly log: Logger,
    now: () => number = Date.now,
  ) {
    this.gate = new SlackRequestGate(signingSecret, now);
  }

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async handle(headers: Record<string, string | undefined>, rawBody: Buffer): Promise<SlackHttpAnswer> {
    const admitted = this.gate.admit(headers, rawBody);
    if ('refused' in admitted) return admitted.refused;
    const { body, release } = admitted;
    if (body.type === 'url_verification') return { status: 200, body: { challenge: body.challenge } };
    if (!this.app) {
      release();
      return { status: 503, body: { error: 'Slack app not ready', details: [] } };
    }

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
        if (acked) return;
        release();
        answer({ status: 500, body: { error: 'The Slack request failed; see the server log', details: [] } });
      },
    );
    return answered;
  }
}
