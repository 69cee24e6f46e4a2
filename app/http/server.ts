import { sameSecret } from './secret-compare.js';
import { checkWrite, ProxyIdentityMissing, type BrowserGuardOptions } from './browser-guard.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../integrations/log.js';
import { HttpError, parseJsonBody, readBody, sendJson, sendText } from './json.js';
import { matchRoute, needsApiToken, type Route } from './router.js';

export interface HttpOptions {
  routes: Route[];
  /** Answers /healthz: 200 with the report when healthy, 503 with it otherwise. */
  health: () => Promise<{ healthy: boolean; report: unknown }>;
  apiToken?: string;
  /** CSRF and the proxy's user header for writes (see browser-guard.ts). */
  writes?: BrowserGuardOptions;
  /** Host names (no port, lower case) the Host header may carry; any name is accepted when unset. */
  allowedHosts?: string[];
  log: Logger;
}

export function createRequestHandler(options: HttpOptions) {

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    let status = 500;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        const { healthy, report } = await options.health();
        status = healthy ? 200 : 503;
        sendJson(res, status, report);
        return;
      }
      if (options.allowedHosts && !options.allowedHosts.includes(hostName(req.headers.host))) {
        // A loopback server answers only to its own names: a page on another name that resolves to
        // 127.0.0.1 (DNS rebinding) gets nothing, not even the console's CSRF token.
        throw new HttpError(421, `This server answers to ${options.allowedHosts.join(', ')}; set PUBLIC_URL to reach it by another name`);
      }
      // Decoded, as the router matches it: "/ap%69/…" is /api/ too.
      const path = decodeURIComponent(url.pathname);
      if (options.apiToken && needsApiToken(path) && !hasToken(req, options.apiToken)) {
        res.setHeader('www-authenticate', 'Bearer');
        throw new HttpError(401, 'Missing or wrong API token: send Authorization: Bearer <API_TOKEN>', [{ field: 'authorization', message: 'missing or wrong bearer token' }]);
      }
      const match = matchRoute(options.routes, req.method ?? 'GET', url.pathname);
      if (!match) throw new HttpError(404, `No route ${req.method} ${url.pathname}`);
      if ('allowed' in match) {
        res.setHeader('allow', match.allowed.join(', '));
        throw new HttpError(405, `${req.method} is not allowed on ${url.pathname} (allowed: ${match.allowed.join(', ')})`);
      }
      const person = req.method === 'POST' && options.writes ? checkWrite(req, match.route.path, options.writes) : undefined;
      const rawBody = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
      const body = req.method === 'POST' && !match.route.rawBody ? asPerson(parseJsonBody(rawBody), person, match.route.path) : undefined;
      const answer = await match.route.handle({ params: match.params, query: url.searchParams, body, rawBody, req });
      status = answer.status;
      for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
      if (answer.contentType) sendText(res, status, answer.contentType, String(answer.body));
      else sendJson(res, status, answer.body);
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        if (err instanceof ProxyIdentityMissing) res.setHeader('www-authenticate', 'Proxy realm="proxy"');
        sendJson(res, status, { error: err.message, details: err.details });
      } else if (err instanceof URIError) {
        status = 400;
        sendJson(res, status, { error: `Malformed URL: ${err.message}`, details: [{ field: '(url)', message: err.message }] });
      } else {
        status = 500;
        options.log.error('request failed', { method: req.method, path: req.url?.split('?')[0], error: (err as Error).stack ?? String(err) });
        sendJson(res, status, { error: 'Internal error; see the server log', details: [] });
      }
    } finally {
      options.log.debug('http', { method: req.method, path: req.url?.split('?')[0], status, ms: Date.now() - started });
    }
  };
}

export async function startHttpServer(host: string, port: number, options: HttpOptions): Promise<Server> {
  const handler = createRequestHandler(options);
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`${host}:${port} is already in use: set PORT (or HOST) to a free one`) : err),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}

export function stopHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Behind an authenticating proxy the acting person is the proxy's, whatever the body says. */
function asPerson(body: unknown, person: string | undefined, routePath: string): unknown {
  if (person === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return { ...body, actor: person, ...(routePath === '/api/incidents' ? { declaredBy: person } : {}) };
}

/** `127.0.0.1:3000` → `127.0.0.1`, `[::1]:3000` → `[::1]`. */
function hostName(host: string | undefined): string {
  return (host ?? '').toLowerCase().replace(/:\d+$/, '');
}

function hasToken(req: IncomingMessage, expected: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return match !== null && sameSecret(match[1]!.trim(), expected);
}
