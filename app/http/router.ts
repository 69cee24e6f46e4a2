import type { IncomingMessage } from 'node:http';

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

export interface Route {
  method: 'GET' | 'POST';
  /** Literal segments and `:name` parameters, e.g. `/api/incidents/:id`. */
  path: string;
  /** Signed webhooks: the body is passed only raw, to be verified before it is parsed. */
  rawBody?: boolean;
  handle(request: RouteRequest): Promise<RouteResponse>;
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
