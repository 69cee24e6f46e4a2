import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Actor } from '../incident-service.js';

/**
 * What a route needs before it runs, checked by the server after matching the canonical path:
 * `person` a write by a verified person; `reader` any API credential (none on an open loopback
 * server); `webhook` the route checks its sender's own credential (a signature, the alert token);
 * `public` nothing (the console's page and assets).
 */
export type RouteAuth = 'person' | 'reader' | 'webhook' | 'public';

export interface RouteRequest {
  params: Record<string, string>;
  /** For `person` routes: who acts, as the server verified it (or, with no identity source on loopback, as typed). */
  who?: Actor;
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
  headers?: Record<string, string | string[]>;
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

export type Precheck = (req: IncomingMessage, params: Record<string, string>) => void;

export interface Route {
  method: 'GET' | 'POST';
  /** Literal segments and `:name` parameters, e.g. `/api/incidents/:id`. */
  path: string;
  auth: RouteAuth;
  /** Signed webhooks: the body is passed only raw, to be verified before it is parsed. */
  rawBody?: boolean;
  /**
   * Webhooks: the sender's credential judged from the headers alone, before a byte of the body is
   * read; throws an HttpError (401, or 404/403 while the webhook is off) when it is missing or plainly
   * wrong. A signature over the body is still verified by `handle`.
   */
  precheck?: Precheck;
  /** The largest body accepted (413 beyond it); MAX_BODY_BYTES (1 MiB) when unset. */
  maxBodyBytes?: number;
  docs: RouteDocs;
  handle(request: RouteRequest): Promise<RouteResponse>;
}

export type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined;

/** `segments`: the request's canonical, decoded path segments (canonical-path.ts). */
export function matchRoute(routes: Route[], method: string, segments: string[]): Match {
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((part, i) => {
      const segment = segments[i]!;
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
