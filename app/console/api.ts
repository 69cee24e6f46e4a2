// The console's only way to the server: the same HTTP API the CLI uses, with the API token (asked for
// once, kept for the browser session), the CSRF token of the page, and the acting person.
import type { Kpis } from '../kpis/compute.js';
import type { IncidentPage, IncidentSummary } from '../incident-service.js';
import type { CorrectiveAction, IncidentState } from '../../workflows/types.js';

export type { CorrectiveAction, IncidentPage, IncidentState, IncidentSummary, Kpis };

export interface ConsoleConfig {
  /** verified: a person the server proved (OpenID Connect, a token, the proxy); unauthenticated: typed in (loopback only); read-only: neither yet. */
  identity: { mode: 'verified' | 'unauthenticated' | 'read-only'; user?: string; via?: string; signIn?: string };
  temporalUiUrl?: string;
  namespace: string;
  severities: string[];
  categories: string[];
  actionKinds: string[];
}

export interface RunbookInfo {
  id: string;
  title: string;
  categories: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'incident-console.api-token';
const NAME_KEY = 'incident-console.name';

export function typedName(): string {
  return localStorage.getItem(NAME_KEY) ?? '';
}

export function setTypedName(name: string): void {
  localStorage.setItem(NAME_KEY, name.trim());
}

/** With OpenID Connect sign-in the page sends people there instead of asking for a token. */
let signInOffered = false;
export function offerSignIn(): void {
  signInOffered = true;
}

const csrfToken = () => document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, askedForToken = false): Promise<T> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      'x-csrf-token': csrfToken(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 401 && signInOffered && method === 'GET') {
    location.assign(`/auth/login?return=${encodeURIComponent(`/${location.hash}`)}`);
  }
  if (response.status === 401 && path.startsWith('/api/') && !askedForToken && !signInOffered) {
    const entered = window.prompt(
      'This server needs a token: your personal API token (incident token create) or its API_TOKEN. It is kept for this browser session only.',
    );
    if (entered) {
      sessionStorage.setItem(TOKEN_KEY, entered.trim());
      return request(method, path, body, true);
    }
  }
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok)
    throw new ApiError(
      response.status,
      (parsed as { error?: string } | undefined)?.error ?? `${response.status} ${response.statusText}`,
    );
  return parsed as T;
}

export const api = {
  config: () => request<ConsoleConfig>('GET', '/api/console'),
  /** One page of the list; `filter` holds the query parameters (status, severity, runbook, cursor …). */
  incidents: (filter: Record<string, string>) =>
    request<IncidentPage>('GET', `/api/incidents?${new URLSearchParams(filter)}`),
  incident: (id: string) => request<IncidentState>('GET', `/api/incidents/${encodeURIComponent(id)}`),
  runbooks: () => request<{ runbooks: RunbookInfo[] }>('GET', '/api/runbooks').then((r) => r.runbooks),
  kpis: (since: string) => request<Kpis>('GET', `/api/kpis?since=${encodeURIComponent(since)}`),
  declare: (body: Record<string, string>) => request<{ id: string }>('POST', '/api/incidents', body),
  signOut: () => request<unknown>('POST', '/auth/logout', {}),
  post: <T = unknown>(id: string, action: string, body: Record<string, unknown>) =>
    request<T>('POST', `/api/incidents/${encodeURIComponent(id)}/${action}`, body),
};
