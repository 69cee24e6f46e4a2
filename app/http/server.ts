import { checkWrite, type BrowserGuardOptions } from './browser-guard.js';
import { canonicalSegments } from './canonical-path.js';
import { Unauthenticated, type Authenticator, type Identity } from '../identity/authenticator.js';
import type { Actor } from '../incident-service.js';
import type { RefusalInput } from '../../workflows/messages.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../../integrations/log.js';
import { HttpError, parseJsonBody, readBody, sendJson, sendText, type BodyBudget, type FieldProblem } from './json.js';
import { applyLimits, DEFAULT_HTTP_LIMITS, serverOptions, type HttpLimits } from './limits.js';
import { matchRoute, type Route } from './router.js';

export interface HttpOptions {
  routes: Route[];
  /** Answers /healthz: 200 with the report when healthy, 503 with it otherwise. */
  health: () => Promise<{ healthy: boolean; report: unknown }>;
  /** Who is asking: checked for every route that is not `public` or `webhook`. */
  auth: Authenticator;
  /** Records a refused attempt on incident `id` (a body naming someone else). */
  refused?: (id: string, refusal: RefusalInput) => Promise<void>;
  /** How many body bytes may be held at once across connections (json.ts); 32 MiB by default. */
  bodyBudget?: BodyBudget;
  /** CSRF for browser writes (see browser-guard.ts). */
  writes?: BrowserGuardOptions;
  /** Host names (no port, lower case) the Host header may carry; any name is accepted when unset. */
  allowedHosts?: string[];
  log: Logger;
  /** Connections and timeouts (limits.ts); DEFAULT_HTTP_LIMITS when unset. */
  limits?: HttpLimits;
}

export function createRequestHandler(options: HttpOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    let status = 500;
    try {
      const segments = canonicalSegments(req.url);
      const path = `/${segments.join('/')}`;
      if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
        const { healthy, report } = await options.health();
        status = healthy ? 200 : 503;
        sendJson(res, status, report);
        return;
      }
      if (options.allowedHosts && !options.allowedHosts.includes(hostName(req.headers.host))) {
        // A loopback server answers only to its own names: a page on another name that resolves to
        // 127.0.0.1 (DNS rebinding) gets nothing, not even the console's CSRF token.
        throw new HttpError(
          421,
          `This server answers to ${options.allowedHosts.join(', ')}; set PUBLIC_URL to reach it by another name`,
        );
      }
      const match = matchRoute(options.routes, req.method ?? 'GET', segments);
      if (!match) throw new HttpError(404, `No route ${req.method} ${path}`);
      if ('allowed' in match) {
        res.setHeader('allow', match.allowed.join(', '));
        throw new HttpError(405, `${req.method} is not allowed on ${path} (allowed: ${match.allowed.join(', ')})`);
      }
      const { route, params } = match;
      // Credentials first, from the headers alone: nothing of the body is read for a caller without them.
      if (route.auth === 'reader') await options.auth.reader(req);
      const identity = route.auth === 'person' ? await options.auth.person(req) : undefined;
      route.precheck?.(req, params);
      if (req.method === 'POST' && options.writes) checkWrite(req, options.writes);
      const rawBody =
        req.method === 'POST' ? await readBody(req, route.maxBodyBytes, options.bodyBudget) : Buffer.alloc(0);
      const body = req.method === 'POST' && !route.rawBody ? parseJsonBody(rawBody) : undefined;
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      // A GET has no body: there the typed name of an open loopback server comes as ?actor=.
      const claims = req.method === 'GET' ? { actor: query.get('actor') ?? undefined } : body;
      if (route.auth === 'person') requireValid(route, claims, identity);
      const who = route.auth === 'person' ? await actingPerson(identity, claims, params, options) : undefined;
      const answer = await route.handle({ params, query, body, rawBody, req, ...(who ? { who } : {}) });
      status = answer.status;
      for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
      if (answer.contentType) sendText(res, status, answer.contentType, String(answer.body));
      else sendJson(res, status, answer.body);
    } catch (err) {
      if (err instanceof HttpError) {
        status = err.status;
        // Refused before its body was read (credentials, Content-Length): the rest is not waited for.
        if (!req.complete) {
          req.socket?.pause();
          res.setHeader('connection', 'close');
        }
        for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
        if (err instanceof Unauthenticated) res.setHeader('www-authenticate', 'Bearer');
        sendJson(res, status, { error: err.message, details: err.details });
      } else if (!req.complete && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        // The client went away, or was cut off by a timeout (limits.ts), before its request was in.
        status = 499;
      } else {
        status = 500;
        options.log.error('request failed', {
          method: req.method,
          path: req.url?.split('?')[0],
          error: (err as Error).stack ?? String(err),
        });
        sendJson(res, status, { error: 'Internal error; see the server log', details: [] });
      }
    } finally {
      options.log.debug('http', { method: req.method, path: req.url?.split('?')[0], status, ms: Date.now() - started });
    }
  };
}

/**
 * A write's body, checked before anything acts on it: every invalid field named at once, and on an
 * open loopback server (no identity source) the typed name it must carry.
 */
function requireValid(route: Route, body: unknown, identity: Identity | undefined): void {
  const problems: FieldProblem[] = [];
  if (route.docs.body) {
    const result = route.docs.body.safeParse(body);
    if (!result.success)
      problems.push(
        ...result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })),
      );
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const typed = [fields.actor, fields.declaredBy, declares(route) ? fields.commander : undefined].some(
    (name) => typeof name === 'string' && name.trim() !== '',
  );
  if (!identity && !typed && !problems.some((p) => p.field === 'actor')) {
    problems.push({
      field: declares(route) ? 'declaredBy' : 'actor',
      message: 'is required: no identity source is configured, so say who you are',
    });
  }
  if (problems.length)
    throw new HttpError(
      400,
      `Invalid request: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      problems,
    );
}

const declares = (route: Route) => route.method === 'POST' && route.path === '/api/incidents';

/**
 * Who acts on a write: the verified person; on an open loopback server, the name the body gives. A
 * body that names someone other than the verified person is refused (403), and on the incident's
 * timeline when it names one.
 */
async function actingPerson(
  identity: Identity | undefined,
  body: unknown,
  params: Record<string, string>,
  options: HttpOptions,
): Promise<Actor> {
  const fields =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const claimed =
    typeof fields.actor === 'string'
      ? fields.actor
      : typeof fields.declaredBy === 'string'
        ? fields.declaredBy
        : undefined;
  // A declaration without a declarer was made by its commander, as it always was.
  if (!identity)
    return {
      actor: String(claimed ?? fields.commander)
        .normalize('NFKC')
        .trim(),
      via: 'local',
    };
  const who: Actor = {
    actor: identity.person,
    via: identity.via,
    ...(identity.groups.length ? { memberOf: identity.groups } : {}),
  };
  if (claimed !== undefined && claimed.normalize('NFKC').trim() !== identity.person) {
    const reason = `${identity.person} (${identity.via}) may not act as ${claimed}`;
    if (params.id)
      await options.refused?.(params.id, { actor: identity.person, via: identity.via, decision: 'act-as', reason });
    throw new HttpError(403, `${reason}: leave actor out, or send your own id`, [
      { field: 'actor', message: `must be ${identity.person} or absent` },
    ]);
  }
  return who;
}

export async function startHttpServer(host: string, port: number, options: HttpOptions): Promise<Server> {
  const handler = createRequestHandler(options);
  const limits = options.limits ?? DEFAULT_HTTP_LIMITS;
  const server = createServer(serverOptions(limits), (req, res) => void handler(req, res));
  applyLimits(server, limits);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${host}:${port} is already in use: set PORT (or HOST) to a free one`)
          : err,
      ),
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

/** `127.0.0.1:3000` → `127.0.0.1`, `[::1]:3000` → `[::1]`. */
function hostName(host: string | undefined): string {
  return (host ?? '').toLowerCase().replace(/:\d+$/, '');
}
