import {
  basicLogger,
  init,
  type LDClient,
  type LDEvaluationDetail,
  type LDLogger,
} from '@launchdarkly/node-server-sdk';
import { changeTookEffect } from './expectations.js';
import { retryAfterMs } from '../http/retry-after.js';
import type {
  FlagChange,
  FlagChangeRequest,
  FlagChangeResult,
  FlagContext,
  FlagProvider,
  FlagReading,
  FlagValue,
  ReadFlagOptions,
} from './provider.js';
import { FlagChangeRefused, FlagServiceBusy } from './provider.js';

export interface LaunchDarklyConfig {
  apiToken: string;
  projectKey: string;
  environmentKey: string;
  /** `https://app.launchdarkly.com` by default (federal and EU instances, or a test double, otherwise). */
  apiUrl?: string;
  /**
   * The server-side SDK key of `environmentKey`. With it, readings (and so verification) come from
   * evaluating the flag with the LaunchDarkly server SDK, as the product sees it; without it, from the
   * REST API.
   */
  sdkKey?: string;
  /** The SDK's polling/base URI; `https://sdk.launchdarkly.com` by default. */
  baseUri?: string;
  /** The SDK's streaming URI; `baseUri` when only that is set (a Relay Proxy or a test double serves both), else `https://stream.launchdarkly.com`. */
  streamUri?: string;
  /** The SDK's events URI; `baseUri` when only that is set, else `https://events.launchdarkly.com`. Events are not sent anyway. */
  eventsUri?: string;
  /** How long the SDK may take to connect, in seconds (10 by default). */
  sdkInitTimeoutSeconds?: number;
  /** How long `readFlag` with `expect` waits for the SDK to show the change, in ms (10 000 by default). */
  verifyTimeoutMs?: number;
  /** Where the SDK logs; a basic logger at warn level (stderr) by default. */
  sdkLogger?: LDLogger;
}

interface LdFlag {
  key: string;
  variations: { _id: string; value: FlagValue }[];
  environments: Record<
    string,
    { on: boolean; offVariation?: number; fallthrough?: { variation?: number; rollout?: unknown } }
  >;
}

/** Who verification evaluates a flag for when the caller names no context. */
export const defaultVerificationContext: FlagContext = {
  kind: 'user',
  key: 'incident-response-verifier',
  anonymous: true,
};

const POLL_MS = 100;

/**
 * Flags in LaunchDarkly, changed through the REST API with semantic patch (turnFlagOff, turnFlagOn,
 * updateFallthroughVariationOrRollout), each change commented with the incident and step. The SDK
 * only evaluates flags and cannot change them: with an SDK key, `readFlag` evaluates the flag with the
 * server SDK (streaming) for a context, so verification sees what the product sees; without one it
 * reads the flag's environment back from the REST API. `applyChange` always reads `previous` from REST.
 */
export class LaunchDarklyFlagProvider implements FlagProvider {
  private readonly apiUrl: string;
  /** The SDK client, created on the first SDK reading; `ready` settles when it has connected (or failed to). */
  private sdk?: { client: LDClient; ready: Promise<void> };

  constructor(private readonly config: LaunchDarklyConfig) {
    this.apiUrl = (config.apiUrl ?? 'https://app.launchdarkly.com').replace(/\/$/, '');
  }

  async applyChange({ flagKey, change, idempotencyKey, comment }: FlagChangeRequest): Promise<FlagChangeResult> {
    const flag = await this.fetchFlag(flagKey);
    const previous = this.reading(flag);
    const instructions = this.instructionsFor(flag, change);
    if (!instructions.length) {
      const earlier = await this.earlierChange(flagKey, idempotencyKey);
      if (earlier) {
        const before = this.reading(earlier);
        return {
          flagKey,
          previous: before,
          current: previous,
          changed: false,
          summary: `LaunchDarkly flag ${flagKey} (${this.config.environmentKey}): ${show(before)} → ${show(previous)} (already applied)`,
        };
      }
      return {
        flagKey,
        previous,
        current: previous,
        changed: false,
        summary: `LaunchDarkly flag ${flagKey} (${this.config.environmentKey}) already ${show(previous)}`,
      };
    }
    const patched = await this.request<LdFlag>('PATCH', flagKey, {
      headers: { 'content-type': 'application/json; domain-model=launchdarkly.semanticpatch' },
      body: JSON.stringify({
        environmentKey: this.config.environmentKey,
        comment: `${comment} [${idempotencyKey}]`,
        instructions,
      }),
    });
    const current = this.reading(patched);
    return {
      flagKey,
      previous,
      current,
      changed: true,
      summary: `LaunchDarkly flag ${flagKey} (${this.config.environmentKey}): ${show(previous)} → ${show(current)}`,
    };
  }

  async readFlag(flagKey: string, options: ReadFlagOptions = {}): Promise<FlagReading> {
    if (!this.config.sdkKey) return this.reading(await this.fetchFlag(flagKey));
    const context = options.context ?? defaultVerificationContext;
    const client = await this.sdkClient();
    let reading = await this.evaluate(client, flagKey, context);
    if (!options.expect) return reading;
    // The change went through REST; the SDK hears of it over its stream a moment later.
    const deadline = Date.now() + (this.config.verifyTimeoutMs ?? 10_000);
    while (!changeTookEffect(options.expect, reading) && Date.now() < deadline) {
      await nextUpdate(client, flagKey, Math.min(POLL_MS, deadline - Date.now()));
      reading = await this.evaluate(client, flagKey, context);
    }
    return reading;
  }

  /** Closes the SDK client and its stream connection; the app calls it on shutdown. */
  close(): void {
    const sdk = this.sdk;
    this.sdk = undefined;
    sdk?.client.close();
  }

  /** The flag as the REST API returns it for the environment (its targeting, variations, versions). */
  async readConfiguration(flagKey: string): Promise<Record<string, unknown>> {
    return (await this.fetchFlag(flagKey)) as unknown as Record<string, unknown>;
  }

  private async evaluate(client: LDClient, flagKey: string, context: FlagContext): Promise<FlagReading> {
    const who = `${context.kind} "${context.key}"`;
    const detail: LDEvaluationDetail = await client.variationDetail(flagKey, context, null);
    const { reason } = detail;
    if (reason.kind === 'ERROR') {
      const what = `The LaunchDarkly SDK could not evaluate flag "${flagKey}" for ${who} in environment ${this.config.environmentKey}: ${reason.errorKind ?? 'ERROR'}`;
      // Not ready (or an SDK exception) can pass; a missing flag, a malformed flag or a bad context will not.
      if (reason.errorKind === 'CLIENT_NOT_READY' || reason.errorKind === 'EXCEPTION') throw new Error(what);
      throw new FlagChangeRefused(what);
    }
    return {
      flagKey,
      on: reason.kind !== 'OFF',
      value: (detail.value ?? null) as FlagValue,
      observedVia: `the LaunchDarkly SDK for ${who}`,
    };
  }

  /** One client for the provider's lifetime, connected on first use; a failed start is forgotten so the next reading tries again. */
  private async sdkClient(): Promise<LDClient> {
    if (!this.sdk) {
      const { baseUri, streamUri = baseUri, eventsUri = baseUri } = this.config;
      const logger = this.config.sdkLogger ?? basicLogger({ level: 'warn' });
      const client = init(this.config.sdkKey!, {
        ...(baseUri ? { baseUri } : {}),
        ...(streamUri ? { streamUri } : {}),
        ...(eventsUri ? { eventsUri } : {}),
        stream: true,
        // Verification evaluations are not product traffic: sending them would skew flag insights,
        // experiments and "last evaluated" data, so no analytics (nor diagnostic) events at all.
        sendEvents: false,
        diagnosticOptOut: true,
        logger,
      });
      // Per-evaluation errors (an unknown flag, say) reach the caller as FlagChangeRefused; without a
      // listener the SDK would also log each at error level. Stream failures it logs itself.
      client.on('error', (err: Error) => logger.debug(`LaunchDarkly SDK: ${redact(err.message, this.config.sdkKey!)}`));
      const timeout = this.config.sdkInitTimeoutSeconds ?? 10;
      const ready = client.waitForInitialization({ timeout }).then(
        () => undefined,
        (err: unknown) => {
          const message = redact((err as Error)?.message ?? String(err), this.config.sdkKey!);
          const what = `The LaunchDarkly SDK for environment ${this.config.environmentKey} could not connect: ${message}`;
          if (/authentication failed|\b40[13]\b/i.test(message))
            throw new FlagChangeRefused(`${what} (check the SDK key)`);
          throw new Error(what);
        },
      );
      this.sdk = { client, ready };
    }
    const sdk = this.sdk;
    try {
      await sdk.ready;
      return sdk.client;
    } catch (err) {
      if (this.sdk === sdk) {
        this.sdk = undefined;
        sdk.client.close();
      }
      throw err;
    }
  }

  /** Nothing when the flag already is as wanted: no empty change in the audit log. */
  private instructionsFor(flag: LdFlag, change: FlagChange): Record<string, unknown>[] {
    const env = this.environment(flag);
    if (change.kind === 'turnOff') return env.on ? [{ kind: 'turnFlagOff' }] : [];
    if (change.kind === 'turnOn') return env.on ? [] : [{ kind: 'turnFlagOn' }];
    const index = flag.variations.findIndex((v) => JSON.stringify(v.value) === JSON.stringify(change.value));
    if (index < 0) {
      throw new FlagChangeRefused(
        `LaunchDarkly flag "${flag.key}" has no variation ${JSON.stringify(change.value)} (variations: ${JSON.stringify(flag.variations.map((v) => v.value))})`,
      );
    }
    return [
      ...(env.on ? [] : [{ kind: 'turnFlagOn' }]),
      ...(env.fallthrough?.variation === index
        ? []
        : [{ kind: 'updateFallthroughVariationOrRollout', variationId: flag.variations[index]!._id }]),
    ];
  }

  private reading(flag: LdFlag): FlagReading {
    const env = this.environment(flag);
    const served = env.on ? env.fallthrough?.variation : env.offVariation;
    const value =
      served === undefined
        ? env.on
          ? { rollout: env.fallthrough?.rollout ?? null }
          : null
        : (flag.variations[served]?.value ?? null);
    return { flagKey: flag.key, on: env.on, value, observedVia: 'the LaunchDarkly REST API' };
  }

  private environment(flag: LdFlag) {
    const env = flag.environments[this.config.environmentKey];
    if (!env)
      throw new FlagChangeRefused(`LaunchDarkly flag "${flag.key}" has no environment "${this.config.environmentKey}"`);
    return env;
  }

  private fetchFlag(flagKey: string): Promise<LdFlag> {
    return this.request<LdFlag>('GET', `${flagKey}?env=${encodeURIComponent(this.config.environmentKey)}`);
  }

  /**
   * The change this idempotency key made earlier, from the audit log: a retry after a crash between
   * LaunchDarkly applying a change and us recording it finds the flag already changed, and needs the
   * state before that change (for undo), not the changed state. Best effort: without audit log access
   * the retry reports the flag as it finds it.
   */
  private async earlierChange(flagKey: string, idempotencyKey: string): Promise<LdFlag | undefined> {
    try {
      const spec = `proj/${this.config.projectKey}:env/${this.config.environmentKey}:flag/${flagKey}`;
      const { items } = await this.request<{ items: { _id: string; comment?: string }[] }>(
        'GET',
        `auditlog?${new URLSearchParams({ spec, limit: '20' }).toString()}`,
        {},
        '',
      );
      const entry = items.find((item) => item.comment?.endsWith(`[${idempotencyKey}]`));
      if (!entry) return undefined;
      return (
        await this.request<{ previousVersion?: LdFlag }>('GET', `auditlog/${encodeURIComponent(entry._id)}`, {}, '')
      ).previousVersion;
    } catch {
      return undefined;
    }
  }

  /** `path` is under /api/v2/flags/<project>/ unless `base` says otherwise ('' for /api/v2/). */
  private async request<T>(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
    base = `flags/${encodeURIComponent(this.config.projectKey)}/`,
  ): Promise<T> {
    const url = `${this.apiUrl}/api/v2/${base}${path}`;
    const response = await fetch(url, {
      method,
      headers: { authorization: this.config.apiToken, ...init.headers },
      ...(init.body ? { body: init.body } : {}),
    });
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
    if (response.status >= 400 && response.status < 500 && response.status !== 409)
      throw new FlagChangeRefused(`${what}: ${response.status} ${reason}`);
    throw new Error(`${what}: ${response.status} ${reason}`);
  }
}

/** LaunchDarkly sends X-Ratelimit-Reset (epoch milliseconds); Retry-After (seconds) as a fallback. */
function retryAfter(headers: Headers): number {
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(reset - Date.now(), 1_000);
  return retryAfterMs(headers.get('retry-after')) ?? 10_000;
}

/** Resolves on the SDK's next update of the flag, or after `ms` (the update event is only a shortcut). */
function nextUpdate(client: LDClient, flagKey: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off(`update:${flagKey}`, done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(ms, 0));
    client.on(`update:${flagKey}`, done);
  });
}

/** An SDK error should never carry the key, but the message goes into incident timelines: make sure. */
function redact(message: string, secret: string): string {
  return secret ? message.split(secret).join('[sdk key]') : message;
}

function show(reading: FlagReading): string {
  return reading.on ? `on, serving ${JSON.stringify(reading.value)}` : `off (serves ${JSON.stringify(reading.value)})`;
}
