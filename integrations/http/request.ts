import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { envAllowRule, envReferenceRefusal, ENV_REFERENCE, type EnvAllowRule } from '../../runbooks/http-env.js';
import { addressRefusal, hostListed } from '../../runbooks/http-targets.js';
import { guardedLookup, systemResolve, type Resolve } from './guarded-lookup.js';

export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /** The runbook's `http.allowedHosts`; absent: any host whose address is public. */
  allowedHosts?: string[];
}

export interface HttpOutcome {
  status: number;
  /** The body (at most MAX_BODY_BYTES), for verification and evidence only: never recorded on the timeline. */
  body: string;
  /** The answer was longer than MAX_BODY_BYTES: `body` holds only its first bytes. */
  truncated: boolean;
}

/** The request may not be made (a variable or host the rules refuse): retrying will not help. */
export class HttpRequestRefused extends Error {
  override name = 'HttpRequestRefused';
}

/** The request did not get an answer (connection refused, timeout…); its message holds no expanded value. */
export class HttpRequestUnanswered extends Error {
  override name = 'HttpRequestUnanswered';
}

export const MAX_BODY_BYTES = 1 << 20;

export interface HttpRequestOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** How host names are resolved (tests stand in a resolver); every address is checked before connecting. */
  resolve?: Resolve;
}

/**
 * Runs a runbook's HTTP action. `${env:NAME}` in the URL and headers is filled in here, in the worker,
 * so a secret never enters workflow history, the timeline or a log; only names RUNBOOK_ENV_ALLOW allows.
 * The connection goes only to a host the runbook allows, at an address that is public or listed;
 * redirects are not followed (a 3xx is the answer).
 */
export async function performHttpRequest(
  spec: HttpRequestSpec,
  options: HttpRequestOptions = {},
): Promise<HttpOutcome> {
  const { env = process.env, timeoutMs = 15_000, resolve = systemResolve } = options;
  const written = writtenUrl(spec.url);
  const rule = envAllowRule(env);
  const expand = (text: string) => text.replace(ENV_REFERENCE, (_, name: string) => envValue(name, env, rule));
  let url: URL;
  try {
    url = new URL(expand(spec.url));
  } catch (err) {
    if (err instanceof HttpRequestRefused) throw err;
    throw new HttpRequestRefused(`${written} is not a valid URL once its variables are filled in`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HttpRequestRefused(`${written} is not an http(s) URL once its variables are filled in`);
  const headers = Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, expand(v)]));
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const allowed = spec.allowedHosts;
  // A host filled in from the environment is not named (nor its address if it is one): refusals reach the timeline.
  const hostFromEnv = /^(\$\{|https?:\/\/[^/?#]*\$\{)/.test(spec.url);
  if (allowed && !hostListed(host, allowed))
    throw new HttpRequestRefused(
      `${hostFromEnv ? `the host of ${written}` : `host ${host}`} is not in the runbook's http.allowedHosts (${allowed.join(', ')})`,
    );
  const refusal = (address: string, shownAs = address) => {
    const why = addressRefusal(address, allowed ?? [], shownAs);
    return why === undefined ? undefined : new HttpRequestRefused(`${written}: ${why}`);
  };
  if (isIP(host)) {
    const refused = refusal(host, hostFromEnv ? 'its host' : host);
    if (refused) throw refused;
  }

  const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HttpOutcome>((resolvePromise, reject) => {
    const failed = (err: unknown) => {
      if (err instanceof HttpRequestRefused) return reject(err);
      const { name, code } = err as { name?: unknown; code?: unknown };
      const why =
        name === 'AbortError' ? `no answer within ${timeoutMs} ms` : typeof code === 'string' ? code : 'failed';
      reject(new HttpRequestUnanswered(`${spec.method} ${written}: ${why}`));
    };
    const req = send(
      url,
      {
        method: spec.method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        lookup: guardedLookup(refusal, resolve),
        signal: AbortSignal.timeout(timeoutMs),
        agent: false,
      },
      (res) =>
        void readBody(res).then(
          ({ text, truncated }) => resolvePromise({ status: res.statusCode ?? 0, body: text, truncated }),
          failed,
        ),
    );
    req.on('error', failed);
    req.end(body);
  });
}

function envValue(name: string, env: NodeJS.ProcessEnv, rule: EnvAllowRule): string {
  const refusal = envReferenceRefusal(name, rule);
  if (refusal) throw new HttpRequestRefused(refusal);
  const value = env[name];
  if (value === undefined)
    throw new HttpRequestRefused(`environment variable ${name} (used by the runbook's HTTP action) is not set`);
  return value;
}

async function readBody(res: IncomingMessage): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      res.destroy();
      break;
    }
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
  return { text, truncated: size > MAX_BODY_BYTES };
}

/** The URL as the runbook wrote it, without its query: `${env:…}` placeholders stay unexpanded. */
export function writtenUrl(url: string): string {
  return url.split('?')[0]!;
}
