import type { Server } from 'node:http';

/**
 * What one server lets its callers hold: connections at once, and how long a request may take to
 * arrive. With the header pre-checks and the body limits (server.ts, json.ts) they bound what
 * unauthenticated or slow clients cost: a connection is refused past `maxConnections`, and a request
 * whose headers or body trickle in is answered 408 and closed after `headersTimeoutMs` or
 * `requestTimeoutMs`.
 */
export interface HttpLimits {
  maxConnections: number;
  /** Until the request's headers are all in. */
  headersTimeoutMs: number;
  /** Until the whole request (headers and body) is in; a handler's own time does not count. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; keep it above a proxy's idle timeout. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
};

/** The HTTP_* variables of app/config.ts, in seconds there. */
export function httpLimitsFrom(config: {
  HTTP_MAX_CONNECTIONS: number;
  HTTP_HEADERS_TIMEOUT_SECONDS: number;
  HTTP_REQUEST_TIMEOUT_SECONDS: number;
  HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: number;
}): HttpLimits {
  return {
    maxConnections: config.HTTP_MAX_CONNECTIONS,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_SECONDS * 1_000,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_SECONDS * 1_000,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1_000,
  };
}

/** Node's options for createServer: it checks the timeouts every `connectionsCheckingInterval`. */
export function serverOptions(limits: HttpLimits) {
  return {
    requestTimeout: limits.requestTimeoutMs,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node's default (30 s) would let a slow client run up to 30 s past its timeout.
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs, limits.requestTimeoutMs),
  };
}

export function applyLimits(server: Server, limits: HttpLimits): void {
  server.maxConnections = limits.maxConnections;
}
