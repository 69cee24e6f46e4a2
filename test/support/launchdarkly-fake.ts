// A contract fake of LaunchDarkly's flag REST API on 127.0.0.1: GET a flag with ?env=, PATCH it with
// semantic patch (turnFlagOff, turnFlagOn, updateFallthroughVariationOrRollout), its {code, message}
// errors and 429 with X-Ratelimit-Reset. It records every request.
import { answer, startJsonFake, type FakeRequest } from './json-fake-server.js';

export interface FakeFlag {
  key: string;
  variations: { _id: string; value: unknown }[];
  environments: Record<string, { on: boolean; offVariation: number; fallthrough: { variation: number }; _version: number }>;
}

export interface LaunchDarklyFake {
  url: string;
  flags: Map<string, FakeFlag>;
  requests: FakeRequest[];
  /** The next `count` requests get 429, resetting `resetInMs` from now. */
  rateLimit(count: number, resetInMs: number): void;
  /** The next PATCH gets 409, as when someone else changed the flag at that moment. */
  conflictOnce(): void;
  stop(): Promise<void>;
}

export async function startLaunchDarklyFake({ project, token, flags }: { project: string; token: string; flags: FakeFlag[] }): Promise<LaunchDarklyFake> {
  const store = new Map(flags.map((f) => [f.key, structuredClone(f)]));
  let limited = 0;
  let conflict = false;
  let resetAt = 0;
  const fake = await startJsonFake(({ method, url, authorization, contentType, body }) => {
    if (limited > 0) {
      limited--;
      return answer(429, { code: 'rate_limited', message: 'Rate limited' }, { 'x-ratelimit-reset': String(resetAt) });
    }
    if (authorization !== token) return answer(401, { code: 'unauthorized', message: 'Invalid access token' });
    const match = new RegExp(`^/api/v2/flags/${project}/([^/]+)$`).exec(url.pathname);
    const flag = match ? store.get(decodeURIComponent(match[1]!)) : undefined;
    if (!flag) return answer(404, { code: 'not_found', message: 'Unknown resource' });
    if (method === 'GET') return answer(200, flag);
    if (method !== 'PATCH') return answer(405, { code: 'method_not_allowed', message: 'Method not allowed' });
    if (conflict) {
      conflict = false;
      return answer(409, { code: 'optimistic_locking_error', message: 'Conflict: the flag was changed concurrently' });
    }
    if (contentType !== 'application/json; domain-model=launchdarkly.semanticpatch') {
      return answer(400, { code: 'invalid_request', message: 'This fake only speaks semantic patch' });
    }
    const env = flag.environments[body?.environmentKey];
    if (!env) return answer(400, { code: 'invalid_request', message: `environmentKey ${body?.environmentKey} unknown` });
    for (const instruction of body.instructions ?? []) {
      if (instruction.kind === 'turnFlagOff') env.on = false;
      else if (instruction.kind === 'turnFlagOn') env.on = true;
      else if (instruction.kind === 'updateFallthroughVariationOrRollout') {
        const index = flag.variations.findIndex((v) => v._id === instruction.variationId);
        if (index < 0) return answer(400, { code: 'invalid_request', message: `unknown variation ${instruction.variationId}` });
        env.fallthrough = { variation: index };
      } else return answer(400, { code: 'invalid_request', message: `unsupported instruction ${instruction.kind}` });
    }
    env._version++;
    return answer(200, flag);
  });
  return {
    url: fake.url,
    flags: store,
    requests: fake.requests,
    conflictOnce() {
      conflict = true;
    },
    rateLimit(count, resetInMs) {
      limited = count;
      resetAt = Date.now() + resetInMs;
    },
    stop: fake.stop,
  };
}
