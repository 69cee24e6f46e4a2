// A receiver of Standard Webhooks on 127.0.0.1 that verifies every delivery with the standardwebhooks
// package's own `verify` over the raw bytes, as a receiver would, and drops a repeated webhook-id.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface WebhookReceiver {
  url: string;
  /** `whsec_…`: the endpoint's secret. */
  secret: string;
  /** Every request: its webhook-id and whether its signature verified. */
  requests: { id: string | undefined; verified: boolean; body: string }[];
  /** Verified deliveries, one per webhook-id (a retry with a known id is acknowledged and dropped). */
  deliveries: { id: string; payload: any }[];
  /** The next requests are answered with these statuses (500, 410…) instead of 204. */
  failNext(status: number, times?: number): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(
  secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
): Promise<WebhookReceiver> {
  const wh = new Webhook(secret);
  const requests: WebhookReceiver['requests'] = [];
  const deliveries: WebhookReceiver['deliveries'] = [];
  const failures: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = req.headers['webhook-id'] as string | undefined;
      let payload: unknown;
      try {
        payload = wh.verify(body, req.headers as Record<string, string>);
      } catch {
        requests.push({ id, verified: false, body });
        res.writeHead(401).end();
        return;
      }
      requests.push({ id, verified: true, body });
      const failure = failures.shift();
      if (failure !== undefined) return res.writeHead(failure).end();
      if (!deliveries.some((d) => d.id === id)) deliveries.push({ id: id!, payload });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/incidents`,
    secret,
    requests,
    deliveries,
    failNext: (status, times = 1) => failures.push(...Array<number>(times).fill(status)),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
