// One scripted sequence of incidents, played through the HTTP API of a product, and its read side (the
// list, /api/kpis, /metrics) with what differs between two runs taken out (ids, times, durations), so that
// the same scenario on the dev server and on a cluster can be compared answer for answer.
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { addAndClose, approve, call, declare, field, incident, killSwitchIs, settle } from './chaos-api.js';
import { parsedSamples } from './prometheus.js';

async function statusIs(url: string, id: string, status: string): Promise<void> {
  const state = await settle(
    () => incident(url, id),
    (s) => s?.status === status,
  );
  assert.equal(state?.status, status, `${id} ${status}`);
}

async function post(url: string, path: string, body: unknown, expected = 200): Promise<void> {
  const answer = await call(url, 'POST', path, body);
  assert.equal(answer.status, expected, `${path}: ${JSON.stringify(answer.body)}`);
}

/**
 * Four incidents of the generic runbook: a P1 contained, its action closed and resolved (awaiting its
 * postmortem); a P2 whose step is rejected, its action waived, resolved and closed; a P3 left in triage; a P1 on the
 * first one's service, a repeat. Returns their ids in the order declared.
 */
export async function playScenario(url: string): Promise<string[]> {
  const contained = await declare(url, 'Parity: assistant leaks its system prompt', 'P1', 'assistant');
  await killSwitchIs(url, contained, 'pending');
  assert.ok(await approve(url, contained), 'the kill switch approved');
  await killSwitchIs(url, contained, 'verified');
  assert.ok(await addAndClose(url, contained, 'Parity: filter system prompts'), 'the action closed');
  await post(url, `/api/incidents/${contained}/resolve`, { actor: 'alice', summary: 'Prompt filtered' });

  const rejected = await declare(url, 'Parity: toxic replies in one locale', 'P2', 'translator');
  await killSwitchIs(url, rejected, 'pending');
  await post(url, `/api/incidents/${rejected}/approvals`, {
    stepId: 'kill-switch',
    decision: 'reject',
    actor: 'alice',
    reason: 'one locale only',
  });
  const action = await call(url, 'POST', `/api/incidents/${rejected}/actions`, {
    actor: 'alice',
    kind: 'detect',
    title: 'Parity: locale eval',
    owner: 'carol',
  });
  assert.equal(action.status, 201, JSON.stringify(action.body));
  await post(url, `/api/incidents/${rejected}/actions/${field(action.body, 'id') as string}/waive`, {
    actor: 'alice',
    reason: 'covered by the eval suite',
  });
  await post(url, `/api/incidents/${rejected}/resolve`, { actor: 'alice', summary: 'Locale prompt fixed' });
  await statusIs(url, rejected, 'postmortem');
  await post(url, `/api/incidents/${rejected}/postmortem/complete`, { actor: 'alice' });
  await statusIs(url, rejected, 'closed');

  const triaging = await declare(url, 'Parity: slow answers', 'P3', 'search');
  await killSwitchIs(url, triaging, 'pending');
  const repeat = await declare(url, 'Parity: assistant leaks its prompt again', 'P1', 'assistant');
  await killSwitchIs(url, repeat, 'pending');
  return [contained, rejected, triaging, repeat];
}

export interface ReadSide {
  open: unknown;
  all: unknown;
  kpis: unknown;
  metrics: Record<string, number | string>;
}

/** The read side now, ids replaced by their place in `ids` and times and durations by what they are. */
export async function readSide(url: string, ids: string[]): Promise<ReadSide> {
  const get = async (path: string) => {
    const answer = await call(url, 'GET', path);
    assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
  const samples: Record<string, number | string> = {};
  for (const [key, value] of parsedSamples(metrics)) {
    // The KPIs only: not when they were read or how long that took, nor the process's own metrics.
    if (!key.startsWith('incident_') || /^incident_kpi_(window_|data_age|refresh_duration)/.test(key)) continue;
    samples[key] = /^incident_time_to_\w+_seconds\{/.test(key) ? 'a duration' : value;
  }
  return {
    open: normalise(await get('/api/incidents'), ids),
    all: normalise(await get('/api/incidents?status=all'), ids),
    kpis: normalise(await get('/api/kpis'), ids),
    metrics: samples,
  };
}

/**
 * Reads both sides until they agree and each is `complete` (visibility is eventually consistent, and two sides
 * that lag alike agree too) or `timeoutMs` passes; the last readings.
 */
export async function readBoth(
  a: { url: string; ids: string[] },
  b: { url: string; ids: string[] },
  complete: (side: ReadSide) => boolean,
  timeoutMs = 30_000,
): Promise<[ReadSide, ReadSide]> {
  const read = async () => Promise.all([readSide(a.url, a.ids), readSide(b.url, b.ids)]);
  return settle(read, ([x, y]) => isDeepStrictEqual(x, y) && complete(x) && complete(y), timeoutMs);
}

/** What `playScenario` leaves, as counts: open listed, all listed, KPI total, KPI open, repeats, actions closed on time, waived. */
export const SCENARIO_COUNTS = [3, 4, 4, 3, 1, 1, 1];

export function scenarioCounts(side: ReadSide): number[] {
  const kpis = side.kpis as {
    incidents: { total: number; open: number };
    repeats: { count: number };
    actions: { closedOnTime: number; waived: number };
  };
  return [
    (side.open as { incidents: unknown[] }).incidents.length,
    (side.all as { incidents: unknown[] }).incidents.length,
    kpis.incidents.total,
    kpis.incidents.open,
    kpis.repeats.count,
    kpis.actions.closedOnTime,
    kpis.actions.waived,
  ];
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function normalise(value: unknown, ids: string[], key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, ids));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, ids, k)]));
  if (typeof value === 'string') {
    if (ids.includes(value)) return `incident #${ids.indexOf(value) + 1}`;
    if (ISO_TIME.test(value)) return 'a time';
  }
  if (typeof value === 'number' && /Ms$/.test(key)) return 'a duration';
  return value;
}
