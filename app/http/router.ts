import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; undefined for GET and for routes that take the raw body. */
  body: unknown;
  /** The bytes as sent, for routes that verify a signature over them. */
  rawBody: Buffer;
  req: IncomingMessage;
}

export interface RouteResponse {
  status: number;
  /** JSON, unless `contentType` is given: then a string sent as it is. */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Credentials a route takes other than the API token (which every /api route and /metrics takes). */
export type Credential = 'alertToken' | 'alertBasic';

/** What the OpenAPI document says of a route (openapi.ts); a POST must name its body. */
export interface RouteDocs {
  summary: string;
  description?: string;
  /** The JSON body it validates; for a signed raw-body route, the payload it reads once the signature checks out. */
  body?: z.ZodType;
  /** Media types of the body, when not JSON alone. */
  bodyTypes?: string[];
  query?: z.ZodObject;
  /** Headers it reads: signatures and event names of webhooks. */
  headers?: z.ZodObject;
  /** The `:name` path parameters, described; any left out are plain strings. */
  params?: z.ZodObject;
  /** What each status it answers with means; the generator adds those every route of its kind shares. */
  responses: Record<number, string>;
  /** Media types of a 2xx answer, when not JSON. */
  produces?: string[];
  security?: Credential[];
}

export interface Route {
  method: 'GET' | 'POST';
  /** Literal segments and `:name` parameters, e.g. `/api/incidents/:id`. */
  path: string;
  /** Signed webhooks: the body is passed only raw, to be verified before it is parsed. */
  rawBody?: boolean;
  docs: RouteDocs;
  handle(request: RouteRequest): Promise<RouteResponse>;
}

/** With API_TOKEN set, these paths need it as a bearer token. */
export function needsApiToken(path: string): boolean {
  return path.startsWith('/api/') || path === '/metrics';
}

export type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined;

export function matchRoute(routes: Route[], method: string, pathname: string): Match {
  const segments = pathname.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((part, i) => {
      const segment = decodeURIComponent(segments[i]!);
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return true;
      }
      return part === segment;
    });
    if (!fits) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : undefined;
}
