// The plumbing every contract fake shares: a JSON HTTP server on 127.0.0.1 that records each request.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  /** When it arrived (epoch ms). */
  at: number;
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

export const answer = (status: number, body: unknown, headers?: Record<string, string>): FakeAnswer => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

/**
 * With `tls`, the fake speaks HTTPS (for clients such as pdjs that cannot be pointed at plain HTTP).
 * `takeOver` sees each (recorded) request before `handle` and may answer it itself, e.g. with a stream
 * of server-sent events, returning true when it did; whoever keeps a response open ends it before `stop`.
 */
export async function startJsonFake(
  handle: (request: FakeRequest) => FakeAnswer,
  {
    tls,
    takeOver,
  }: {
    tls?: { key: string; cert: string };
    takeOver?: (request: FakeRequest, response: ServerResponse) => boolean;
  } = {},
): Promise<{ url: string; requests: FakeRequest[]; stop(): Promise<void> }> {
  const requests: FakeRequest[] = [];
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const request: FakeRequest = {
      at: Date.now(),
      method: req.method ?? '',
      path: url.pathname + url.search,
      url,
      headers: req.headers,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(text ? { body: JSON.parse(text) } : {}),
    };
    requests.push(request);
    if (takeOver?.(request, res)) return;
    const { status, body, headers } = handle(request);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const listener = (req: IncomingMessage, res: ServerResponse) => void serve(req, res);
  const server = tls ? createTlsServer(tls, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
