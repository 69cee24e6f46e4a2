export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface HttpOutcome {
  status: number;
  /** The first 500 characters of the body, for the timeline. */
  excerpt: string;
  /** The whole body, for verification; not recorded. */
  body: string;
}

export class HttpRequestRefused extends Error {
  override name = 'HttpRequestRefused';
}

/**
 * Runs a runbook's HTTP action. `${env:NAME}` in the URL and headers is filled in here, in the worker,
 * so a secret never enters workflow history, the timeline or a log.
 */
export async function performHttpRequest(
  spec: HttpRequestSpec,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 15_000,
): Promise<HttpOutcome> {
  const expand = (text: string) =>
    text.replace(/\$\{env:([A-Z0-9_]+)\}/g, (_, name: string) => {
      const value = env[name];
      if (value === undefined)
        throw new HttpRequestRefused(`environment variable ${name} (used by the runbook's HTTP action) is not set`);
      return value;
    });
  const response = await fetch(expand(spec.url), {
    method: spec.method,
    headers: {
      ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, expand(v)])),
    },
    body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.text();
  return { status: response.status, excerpt: body.slice(0, 500), body };
}
