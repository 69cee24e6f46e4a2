// A contract fake of LaunchDarkly's flag REST API on 127.0.0.1: GET a flag with ?env=, PATCH it with
// semantic patch (turnFlagOff, turnFlagOn, updateFallthroughVariationOrRollout), its {code, message}
// errors and 429 with X-Ratelimit-Reset. It records every request.
// With an SDK key it is also the server-side SDK's service for one environment: the stream
// `GET /all` (server-sent events: `put` of every flag on connect, `patch` of a flag after each change
// to it in that environment) and events `POST /bulk`; the server SDK 9.x asks for `${streamUri}/all`.
import type { ServerResponse } from 'node:http';
import { answer, startJsonFake, type FakeRequest } from './json-fake-server.js';

export interface FakeFlag {
  key: string;
  variations: { _id: string; value: unknown }[];
  environments: Record<
    string,
    { on: boolean; offVariation: number; fallthrough: { variation: number }; _version: number }
  >;
}

/** A flag as the server-side SDK receives it for one environment. */
export interface SdkFlag {
  key: string;
  version: number;
  on: boolean;
  variations: unknown[];
  offVariation: number;
  fallthrough: { variation: number };
  targets: unknown[];
  contextTargets: unknown[];
  rules: unknown[];
  prerequisites: unknown[];
  salt: string;
  trackEvents: boolean;
  trackEventsFallthrough: boolean;
  clientSide: boolean;
  debugEventsUntilDate: null;
  deleted: boolean;
}

export interface SdkStreamConnection {
  path: string;
  authorization?: string;
  /** False once the stream has closed. */
  open: boolean;
}

export interface LaunchDarklyFake {
  url: string;
  flags: Map<string, FakeFlag>;
  requests: FakeRequest[];
  /** Every SDK stream request (`GET /all`), including refused ones. */
  streams: SdkStreamConnection[];
  /** Every event sent down an SDK stream, in order (a `patch` once per open stream). */
  pushed: { event: 'put' | 'patch'; data: { path: string; data: unknown } }[];
  /** Holds each `patch` back this long before sending it, as a slow stream would. */
  delayStreamUpdates(ms: number): void;
  /** The next `count` requests get 429, resetting `resetInMs` from now. */
  rateLimit(count: number, resetInMs: number): void;
  /** The next PATCH gets 409, as when someone else changed the flag at that moment. */
  conflictOnce(): void;
  /** GETs of flags answer `status` (an outage: 500; 404) until called with undefined; changes still work. */
  failFlagReads(status: number | undefined): void;
  /** The REST access token stops working, as when someone revoked it: 401 from then on. */
  revokeApiToken(): void;
  stop(): Promise<void>;
}

export async function startLaunchDarklyFake({
  project,
  token,
  flags,
  sdkKey,
  environment = 'production',
}: {
  project: string;
  token: string;
  flags: FakeFlag[];
  /** The server-side SDK key of `environment`; without it the SDK endpoints answer 401. */
  sdkKey?: string;
  /** The environment the SDK key belongs to (`production` by default). */
  environment?: string;
}): Promise<LaunchDarklyFake> {
  const store = new Map(flags.map((f) => [f.key, structuredClone(f)]));
  let revoked = false;
  /** The audit log: one entry per change, with the flag before and after, as GET /auditlog/{id} gives it. */
  const audit: {
    _id: string;
    date: number;
    kind: string;
    name: string;
    comment?: string;
    spec: string;
    previousVersion: FakeFlag;
    currentVersion: FakeFlag;
  }[] = [];
  let limited = 0;
  let conflict = false;
  let resetAt = 0;
  let streamDelayMs = 0;
  let failReadsWith: number | undefined;
  const streams: SdkStreamConnection[] = [];
  const pushed: LaunchDarklyFake['pushed'] = [];
  const open = new Set<ServerResponse>();

  const sdkFlag = (flag: FakeFlag): SdkFlag | undefined => {
    const env = flag.environments[environment];
    if (!env) return undefined;
    return {
      key: flag.key,
      version: env._version,
      on: env.on,
      variations: flag.variations.map((v) => v.value),
      offVariation: env.offVariation,
      fallthrough: { variation: env.fallthrough.variation },
      targets: [],
      contextTargets: [],
      rules: [],
      prerequisites: [],
      salt: `salt-${flag.key}`,
      trackEvents: false,
      trackEventsFallthrough: false,
      clientSide: false,
      debugEventsUntilDate: null,
      deleted: false,
    };
  };
  const send = (response: ServerResponse, event: 'put' | 'patch', data: { path: string; data: unknown }) => {
    pushed.push({ event, data });
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const pushPatch = (flag: SdkFlag) => {
    const deliver = () => {
      for (const response of open) send(response, 'patch', { path: `/flags/${flag.key}`, data: flag });
    };
    if (streamDelayMs > 0) setTimeout(deliver, streamDelayMs);
    else deliver();
  };
  /** The SDK's stream, answered before the JSON plumbing (which cannot stream). */
  const stream = (request: FakeRequest, response: ServerResponse): boolean => {
    if (request.method !== 'GET' || request.url.pathname !== '/all') return false;
    const connection: SdkStreamConnection = {
      path: request.path,
      ...(request.authorization ? { authorization: request.authorization } : {}),
      open: false,
    };
    streams.push(connection);
    if (!sdkKey || request.authorization !== sdkKey) {
      response.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ code: 'unauthorized', message: 'Invalid SDK key' }));
      return true;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    connection.open = true;
    open.add(response);
    response.on('close', () => {
      connection.open = false;
      open.delete(response);
    });
    const all: Record<string, SdkFlag> = {};
    for (const flag of store.values()) {
      const forSdk = sdkFlag(flag);
      if (forSdk) all[flag.key] = forSdk;
    }
    send(response, 'put', { path: '/', data: { flags: all, segments: {} } });
    return true;
  };

  const fake = await startJsonFake(
    ({ method, url, authorization, contentType, body }) => {
      // Analytics events (the SDK under test sends none, but would be accepted).
      if (url.pathname === '/bulk' || url.pathname === '/diagnostic') {
        if (method !== 'POST') return answer(405, { code: 'method_not_allowed', message: 'Method not allowed' });
        return sdkKey && authorization === sdkKey
          ? answer(202, {})
          : answer(401, { code: 'unauthorized', message: 'Invalid SDK key' });
      }
      if (limited > 0) {
        limited--;
        return answer(429, { code: 'rate_limited', message: 'Rate limited' }, { 'x-ratelimit-reset': String(resetAt) });
      }
      if (revoked || authorization !== token)
        return answer(401, { code: 'unauthorized', message: 'Invalid access token' });
      if (url.pathname === '/api/v2/auditlog' && method === 'GET') {
        const spec = url.searchParams.get('spec');
        const items = audit
          .filter((entry) => !spec || entry.spec === spec)
          .reverse()
          .slice(0, Number(url.searchParams.get('limit') ?? 10));
        return answer(200, {
          items: items.map(({ previousVersion: _p, currentVersion: _c, spec: _s, ...listed }) => listed),
          _links: {},
        });
      }
      const entry = /^\/api\/v2\/auditlog\/([^/]+)$/.exec(url.pathname);
      if (entry && method === 'GET') {
        const found = audit.find((e) => e._id === entry[1]);
        return found ? answer(200, found) : answer(404, { code: 'not_found', message: 'Unknown resource' });
      }
      const match = new RegExp(`^/api/v2/flags/${project}/([^/]+)$`).exec(url.pathname);
      const flag = match ? store.get(decodeURIComponent(match[1]!)) : undefined;
      if (!flag) return answer(404, { code: 'not_found', message: 'Unknown resource' });
      if (method === 'GET' && failReadsWith !== undefined)
        return answer(failReadsWith, { code: 'internal_server_error', message: 'Something went wrong' });
      if (method === 'GET') return answer(200, flag);
      if (method !== 'PATCH') return answer(405, { code: 'method_not_allowed', message: 'Method not allowed' });
      if (conflict) {
        conflict = false;
        return answer(409, {
          code: 'optimistic_locking_error',
          message: 'Conflict: the flag was changed concurrently',
        });
      }
      if (contentType !== 'application/json; domain-model=launchdarkly.semanticpatch') {
        return answer(400, { code: 'invalid_request', message: 'This fake only speaks semantic patch' });
      }
      const env = flag.environments[body?.environmentKey];
      if (!env)
        return answer(400, { code: 'invalid_request', message: `environmentKey ${body?.environmentKey} unknown` });
      const before = structuredClone(flag);
      for (const instruction of body.instructions ?? []) {
        if (instruction.kind === 'turnFlagOff') env.on = false;
        else if (instruction.kind === 'turnFlagOn') env.on = true;
        else if (instruction.kind === 'updateFallthroughVariationOrRollout') {
          const index = flag.variations.findIndex((v) => v._id === instruction.variationId);
          if (index < 0)
            return answer(400, { code: 'invalid_request', message: `unknown variation ${instruction.variationId}` });
          env.fallthrough = { variation: index };
        } else return answer(400, { code: 'invalid_request', message: `unsupported instruction ${instruction.kind}` });
      }
      env._version++;
      audit.push({
        _id: `audit-${audit.length + 1}`,
        date: Date.now(),
        kind: 'flag',
        name: flag.key,
        comment: body.comment,
        spec: `proj/${project}:env/${body.environmentKey}:flag/${flag.key}`,
        previousVersion: before,
        currentVersion: structuredClone(flag),
      });
      if (body.environmentKey === environment) pushPatch(sdkFlag(flag)!);
      return answer(200, flag);
    },
    { takeOver: stream },
  );
  return {
    url: fake.url,
    flags: store,
    requests: fake.requests,
    streams,
    pushed,
    delayStreamUpdates(ms) {
      streamDelayMs = ms;
    },
    failFlagReads(status) {
      failReadsWith = status;
    },
    revokeApiToken() {
      revoked = true;
    },
    conflictOnce() {
      conflict = true;
    },
    rateLimit(count, resetInMs) {
      limited = count;
      resetAt = Date.now() + resetInMs;
    },
    async stop() {
      // An event stream never ends by itself, and the server waits for open responses before closing.
      for (const response of open) response.end();
      await fake.stop();
    },
  };
}
