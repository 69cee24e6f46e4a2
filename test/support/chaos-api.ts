import assert from 'node:assert/strict';
import type { IncidentState } from '../../workflows/types.js';
import { sleep } from './chaos-random.js';

/** What a client of the product sees: a status and a body, or status 0 when nothing answered (a kill). */
export interface Answer {
  status: number;
  body: unknown;
}

export async function call(url: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      signal: AbortSignal.timeout(15_000),
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body: parsed };
  } catch {
    return { status: 0, body: undefined };
  }
}

export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** Tries `attempt` until it says done, through the product's restarts; false at the deadline. */
export async function untilDone(attempt: () => Promise<boolean>, deadlineMs = 90_000): Promise<boolean> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (await attempt()) return true;
    await sleep(300);
  }
  return false;
}

export async function incident(url: string, id: string): Promise<IncidentState | undefined> {
  const answer = await call(url, 'GET', `/api/incidents/${id}`);
  return answer.status === 200 ? (answer.body as IncidentState) : undefined;
}

export async function incidentTitles(url: string): Promise<{ id: string; title: string; open: boolean }[]> {
  const answer = await call(url, 'GET', '/api/incidents?status=all');
  return (field(answer.body, 'incidents') ?? []) as { id: string; title: string; open: boolean }[];
}

/** The kill-switch approval of the generic runbook: applied once the answer is 200, or 409 "not pending". */
export function approve(url: string, id: string): Promise<boolean> {
  return untilDone(async () => {
    const answer = await call(url, 'POST', `/api/incidents/${id}/approvals`, {
      stepId: 'kill-switch',
      decision: 'approve',
      actor: 'alice',
    });
    return answer.status === 200 || (answer.status === 409 && /not pending/.test(JSON.stringify(answer.body)));
  });
}

/** Adds an action (unless an earlier try did and its answer was lost in a kill), then closes it as its owner. */
export async function addAndClose(url: string, id: string, title: string): Promise<boolean> {
  let actionId: string | undefined;
  const added = await untilDone(async () => {
    const listed = await call(url, 'GET', `/api/incidents/${id}/actions`);
    if (listed.status !== 200) return false;
    const actions = field(listed.body, 'actions') as { id: string; title: string }[];
    actionId = actions.find((a) => a.title === title)?.id;
    if (actionId) return true;
    const answer = await call(url, 'POST', `/api/incidents/${id}/actions`, {
      actor: 'alice',
      kind: 'detect',
      title,
      owner: 'carol',
    });
    if (answer.status === 201) actionId = field(answer.body, 'id') as string;
    return answer.status === 201;
  });
  return (
    added &&
    untilDone(async () => {
      const answer = await call(url, 'POST', `/api/incidents/${id}/actions/${actionId}/close`, { actor: 'carol' });
      return answer.status === 200 || answer.status === 409;
    })
  );
}

/** Reads until `done` holds; the last reading either way. */
export async function settle<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  let value = await read();
  while (!done(value) && Date.now() - started < timeoutMs) {
    await sleep(250);
    value = await read();
  }
  return value;
}

/** Declares an incident of the generic runbook (category other) as alice; its id. */
export async function declare(url: string, title: string, severity = 'P2', service?: string): Promise<string> {
  const answer = await call(url, 'POST', '/api/incidents', {
    title,
    category: 'other',
    severity,
    ...(service ? { service } : {}),
    declaredBy: 'alice',
  });
  // 202 while a killed worker is not back yet: declared all the same, and callers wait for its steps.
  assert.ok([201, 202].includes(answer.status), JSON.stringify(answer.body));
  return field(answer.body, 'id') as string;
}

/** Waits until the generic runbook's kill-switch step has `status`, and fails if it does not; the state then. */
export async function killSwitchIs(url: string, id: string, status: string): Promise<IncidentState> {
  const state = await settle(
    () => incident(url, id),
    (s) => s?.steps.find((step) => step.id === 'kill-switch')?.status === status,
  );
  assert.equal(state?.steps.find((step) => step.id === 'kill-switch')?.status, status, `${id}: kill-switch ${status}`);
  return state;
}
