import type { FlagChange, FlagChangeRequest, FlagChangeResult, FlagProvider, FlagReading, FlagValue } from './provider.js';
import { FlagChangeRefused, FlagServiceBusy } from './provider.js';

export interface LaunchDarklyConfig {
  apiToken: string;
  projectKey: string;
  environmentKey: string;
  /** `https://app.launchdarkly.com` by default (federal and EU instances, or a test double, otherwise). */
  apiUrl?: string;
}

interface LdFlag {
  key: string;
  variations: { _id: string; value: FlagValue }[];
  environments: Record<string, { on: boolean; offVariation?: number; fallthrough?: { variation?: number; rollout?: unknown } }>;
}

/**
 * Flags in LaunchDarkly, changed through the REST API with semantic patch (turnFlagOff, turnFlagOn,
 * updateFallthroughVariationOrRollout), each change commented with the incident and step; read back
 * from the same API. The SDK only evaluates flags and cannot change them.
 */
export class LaunchDarklyFlagProvider implements FlagProvider {
  private readonly apiUrl: string;

  constructor(private readonly config: LaunchDarklyConfig) {
    this.apiUrl = (config.apiUrl ?? 'https://app.launchdarkly.com').replace(/\/$/, '');
  }

  async applyChange({ flagKey, change, idempotencyKey, comment }: FlagChangeRequest): Promise<FlagChangeResult> {
    const flag = await this.fetchFlag(flagKey);
    const previous = this.reading(flag);
    const instructions = this.instructionsFor(flag, change);
    if (!instructions.length) {
      return { flagKey, previous, current: previous, changed: false, summary: `LaunchDarkly flag ${flagKey} (${this.config.environmentKey}) already ${show(previous)}` };
    }
    const patched = await this.request<LdFlag>('PATCH', flagKey, {
      headers: { 'content-type': 'application/json; domain-model=launchdarkly.semanticpatch' },
      body: JSON.stringify({ environmentKey: this.config.environmentKey, comment: `${comment} [${idempotencyKey}]`, instructions }),
    });
    const current = this.reading(patched);
    return { flagKey, previous, current, changed: true, summary: `LaunchDarkly flag ${flagKey} (${this.config.environmentKey}): ${show(previous)} → ${show(current)}` };
  }

  async readFlag(flagKey: string): Promise<FlagReading> {
    return this.reading(await this.fetchFlag(flagKey));
  }

  /** Nothing when the flag already is as wanted: no empty change in the audit log. */
  private instructionsFor(flag: LdFlag, change: FlagChange): Record<string, unknown>[] {
    const env = this.environment(flag);
    if (change.kind === 'turnOff') return env.on ? [{ kind: 'turnFlagOff' }] : [];
    if (change.kind === 'turnOn') return env.on ? [] : [{ kind: 'turnFlagOn' }];
    const index = flag.variations.findIndex((v) => JSON.stringify(v.value) === JSON.stringify(change.value));
    if (index < 0) {
      throw new FlagChangeRefused(`LaunchDarkly flag "${flag.key}" has no variation ${JSON.stringify(change.value)} (variations: ${JSON.stringify(flag.variations.map((v) => v.value))})`);
    }
    return [
      ...(env.on ? [] : [{ kind: 'turnFlagOn' }]),
      ...(env.fallthrough?.variation === index ? [] : [{ kind: 'updateFallthroughVariationOrRollout', variationId: flag.variations[index]!._id }]),
    ];
  }

  private reading(flag: LdFlag): FlagReading {
    const env = this.environment(flag);
    const served = env.on ? env.fallthrough?.variation : env.offVariation;
    const value = served === undefined ? (env.on ? { rollout: env.fallthrough?.rollout ?? null } : null) : (flag.variations[served]?.value ?? null);
    return { flagKey: flag.key, on: env.on, value };
  }

  private environment(flag: LdFlag) {
    const env = flag.environments[this.config.environmentKey];
    if (!env) throw new FlagChangeRefused(`LaunchDarkly flag "${flag.key}" has no environment "${this.config.environmentKey}"`);
    return env;
  }

  private fetchFlag(flagKey: string): Promise<LdFlag> {
    return this.request<LdFlag>('GET', `${flagKey}?env=${encodeURIComponent(this.config.environmentKey)}`);
  }

  private async request<T>(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<T> {
    const url = `${this.apiUrl}/api/v2/flags/${encodeURIComponent(this.config.projectKey)}/${path}`;
    const response = await fetch(url, { method, headers: { authorization: this.config.apiToken, ...init.headers }, ...(init.body ? { body: init.body } : {}) });
    const text = await response.text();
    if (response.ok) return JSON.parse(text) as T;
    const reason = (() => {
      try {
        return (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        return text;
      }
    })();
    const what = `LaunchDarkly ${method} flag ${path.split('?')[0]} in project ${this.config.projectKey}`;
    if (response.status === 429) throw new FlagServiceBusy(`${what}: rate limited`, retryAfter(response.headers));
    if (response.status === 404) throw new FlagChangeRefused(`${what}: not found (${reason})`);
    // 409: someone changed the flag at the same moment; a retry reads it afresh.
    if (response.status >= 400 && response.status < 500 && response.status !== 409) throw new FlagChangeRefused(`${what}: ${response.status} ${reason}`);
    throw new Error(`${what}: ${response.status} ${reason}`);
  }
}

/** LaunchDarkly sends X-Ratelimit-Reset (epoch milliseconds); Retry-After (seconds) as a fallback. */
function retryAfter(headers: Headers): number {
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(reset - Date.now(), 1_000);
  const seconds = Number(headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : 10_000;
}

function show(reading: FlagReading): string {
  return reading.on ? `on, serving ${JSON.stringify(reading.value)}` : `off (serves ${JSON.stringify(reading.value)})`;
}
