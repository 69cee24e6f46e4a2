// The plumbing every contract fake shares: a JSON HTTP server on 127.0.0.1 that records each request.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  authorization?: string;
  contentType?: string;
  body?: any;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const answer = (status: number, body: unknown, headers?: Record<string, string>): FakeAnswer => ({ status, body, ...(headers ? { headers } : {}) });

export async function startJsonFake(handle: (request: FakeRequest) => FakeAnswer): Promise<{ url: string; requests: FakeRequest[]; stop(): Promise<void> }> {
  const requests: FakeRequest[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: FakeRequest = {
      method: req.method ?? '',
      path: url.pathname + url.search,
      url,
      headers: req.headers,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(text ? { body: JSON.parse(text) } : {}),
    };
    requests.push(request);
    const { status, body, headers } = handle(request);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
