// The read side against the incidents' own state: after a random mix of incidents (declared at every
// severity, acknowledged, re-assigned, raised, mitigated, resolved, with actions closed and waived),
// the KPIs computed from visibility equal those computed from each incident's queried state, every
// listed summary matches its incident, the pages cover every incident once, and the filters select
// what the states say they should.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeKpis, type Kpis } from '../app/kpis/compute.js';
import { KpiProjection } from '../app/kpis/kpi-projection.js';
import { kpiSources } from '../app/kpis/kpi-sources.js';
import { renderPrometheus } from '../app/kpis/prometheus.js';
import { readKpis, readKpiText } from '../app/kpis/read-kpis.js';
import { IncidentService } from '../app/incident-service.js';
import type { IncidentSummary } from '../app/incident-index.js';
import type { Category, IncidentState, Severity } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const COUNT = Number(process.env.READ_SIDE_INCIDENTS ?? 40);
const SEVERITIES: Severity[] = ['P0', 'P1', 'P2', 'P3'];
const CATEGORIES: Category[] = ['other', 'model-regression', 'harmful-output'];
const SERVICES = ['chat', 'search', undefined];
const PEOPLE = ['alice', 'bob', 'carol'];

let harness: TemporalHarness;
let service: IncidentService;
const ids: string[] = [];

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => (state = (state * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32;
}
const seed = Number(process.env.READ_SIDE_SEED ?? Date.now() % 100_000);
const rand = random(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** One incident taken some way through its life, at random. */
async function liveOne(i: number): Promise<string> {
  const commander = pick(PEOPLE);
  const serviceName = pick(SERVICES);
  const { id } = await service.declare({
    title: `read side ${i}`,
    category: pick(CATEGORIES),
    severity: pick(SEVERITIES),
    commander,
    declaredBy: commander,
    ...(serviceName ? { service: serviceName } : {}),
    ...(rand() < 0.5 ? { detectedAt: new Date(Date.now() - Math.floor(rand() * 3_600_000)).toISOString() } : {}),
  });
  let ic = commander;
  if (rand() < 0.4) await service.acknowledge(id, ic);
  if (rand() < 0.2) {
    const next = PEOPLE.find((p) => p !== ic)!;
    await service.assignCommander(id, ic, next);
    ic = next;
  }
  const state = await service.get(id);
  if (rand() < 0.3)
    await service.setSeverity(
      id,
      ic,
      SEVERITIES.find((s) => s !== state.severity)!,
    );
  const step = state.steps.find((s) => s.approvers.includes('ic') && s.status === 'pending');
  if (step && rand() < 0.5) await service.decide(id, { stepId: step.id, decision: 'approve' }, ic);
  if (rand() < 0.5) {
    await service.resolve(id, ic, 'fixed');
    const actions = rand() < 0.6 ? 1 + Math.floor(rand() * 3) : 0;
    for (let a = 0; a < actions; a++) {
      const action = await service.addAction(id, { title: `follow-up ${a}`, owner: pick(PEOPLE), kind: 'prevent' }, ic);
      const fate = rand();
      if (fate < 0.3) await service.closeAction(id, action.id, ic);
      else if (fate < 0.5) await service.waiveAction(id, action.id, ic, 'not needed');
    }
    if (rand() < 0.5) await service.completePostmortem(id, ic).catch(() => undefined);
  }
  return id;
}

/** As app/kpis/kpi-sources.ts makes it, with no overlap: every incident here changed within its minute. */
function projectionAt(clock: () => Date): KpiProjection {
  return new KpiProjection({
    list: (from, changedSince) => service.declaredSince(from, changedSince),
    windowMs: 30 * 86_400_000,
    maxAgeMs: 10 * 60_000,
    fullEveryMs: 15 * 60_000,
    overlapMs: 0,
    clock,
  });
}

before(async () => {
  harness = await startTemporalHarness();
  service = harness.service();
  // A few at a time, as incidents arrive in practice.
  for (let i = 0; i < COUNT; i += 4)
    ids.push(...(await Promise.all([0, 1, 2, 3].filter((j) => i + j < COUNT).map((j) => liveOne(i + j)))));
});
after(() => harness?.stop());

describe(`the read side after ${COUNT} random incidents (seed ${seed})`, () => {
  it('gives the KPIs each incident state gives, without querying one', async () => {
    const now = new Date();
    const since = new Date(now.getTime() - 86_400_000);
    const window = new Date(since.getTime() - 30 * 86_400_000);
    await eventually(
      async () => {
        const states = await Promise.all(ids.map((id) => service.get(id)));
        const indexed = await service.declaredSince(window);
        return { states, indexed };
      },
      ({ states, indexed }) =>
        indexed.queried.length === 0 &&
        sameKpis(
          computeKpis(sortById(indexed.incidents), { now, since }),
          computeKpis(sortById(states), { now, since }),
        ),
      'KPIs from visibility equal to KPIs from states',
    ).then(({ states, indexed }) =>
      // Once more outside `eventually`, so that a difference is shown field by field.
      assert.deepEqual(
        computeKpis(sortById(indexed.incidents), { now, since }),
        computeKpis(sortById(states), { now, since }),
      ),
    );
  });

  it('serves the same KPIs from the in-memory projection, kept by listing the changes, and lists for the request past its window or age', async () => {
    let clock = new Date();
    const projection = projectionAt(() => clock);
    const since = new Date(clock.getTime() - 86_400_000);
    const states = await Promise.all(ids.map((id) => service.get(id)));
    await projection.refresh();
    const refreshedAt = clock;
    const projected = await readKpis(service, { from: since }, clock, projection);
    assert.equal(projected.asOf, refreshedAt, 'answered from the projection');
    assert.equal(projected.queried, 0);
    assert.deepEqual(computeKpis(sortById(states), { now: clock, since }).incidents, projected.kpis.incidents);
    const listed = await readKpis(service, { from: since }, clock);
    assert.deepEqual(
      { ...listed, kpis: inIdOrder(listed.kpis) },
      { ...projected, kpis: inIdOrder(projected.kpis) },
      'the projection gives what a list for the request gives',
    );

    assert.equal(projection.lastRefresh?.kind, 'full');

    // A change after the refresh shows once the projection has listed the changes: one new incident, one resolved.
    const late = await liveOne(COUNT);
    ids.push(late);
    // Read afresh: an incident still open in `states` may have resolved since (alerts auto-resolve).
    const fresh = await Promise.all(states.map((s) => service.get(s.id)));
    const open = fresh.find((s) => !s.resolvedAt);
    if (open) await service.resolve(open.id, open.commander, 'late fix');
    const changedIds = [late, ...(open ? [open.id] : [])];
    // Wait for visibility to hold the changes as they are now, not only to list them: the late incident's
    // severity (and so its mitigation target) may reach visibility after its declaration does.
    const { states: changedStates } = await eventually(
      async () => ({
        changed: (await service.declaredSince(since, refreshedAt)).incidents.map((i) => i.id),
        states: await Promise.all(ids.map((id) => service.get(id))),
        indexed: (await service.declaredSince(since)).incidents,
      }),
      ({ changed, states: now, indexed }) =>
        changedIds.every((id) => changed.includes(id)) &&
        sameKpis(
          computeKpis(sortById(indexed), { now: clock, since }),
          computeKpis(sortById(now), { now: clock, since }),
        ),
      'the changes in visibility, as the incidents now are',
    );
    clock = new Date();
    assert.equal((await readKpis(service, { from: since }, clock, projection)).kpis.incidents.total, states.length);
    await projection.refresh();
    assert.equal(projection.lastRefresh?.kind, 'changes');
    assert.ok(
      projection.lastRefresh.listed >= changedIds.length && projection.lastRefresh.listed < ids.length,
      `listed the changes, not every incident: ${projection.lastRefresh.listed} of ${ids.length}`,
    );
    const after = await readKpis(service, { from: since }, clock, projection);
    assert.equal(after.asOf, clock);
    assert.deepEqual(
      inIdOrder(after.kpis),
      inIdOrder(computeKpis(sortById(changedStates), { now: clock, since })),
      'equal to the states after a refresh',
    );

    const older = new Date(clock.getTime() - 45 * 86_400_000);
    assert.equal(
      (await readKpis(service, { from: older }, clock, projection)).asOf,
      clock,
      'past its window: listed for the request',
    );
    const stale = new Date(clock.getTime() + 10 * 60_000 + 1);
    assert.equal(
      (await readKpis(service, { from: since }, stale, projection)).asOf,
      stale,
      'too old: listed for the request',
    );
  });

  it('computes each window once a refresh, as of that refresh, and keeps few windows however many are asked for', async () => {
    const refreshedAt = new Date();
    const projection = projectionAt(() => refreshedAt);
    await projection.refresh();
    const lastDay = { lastMs: 86_400_000 };
    const at = (seconds: number) => new Date(refreshedAt.getTime() + seconds * 1000);
    const first = await readKpis(service, lastDay, at(1), projection);
    assert.deepEqual(first.kpis.window, {
      since: new Date(refreshedAt.getTime() - 86_400_000).toISOString(),
      until: refreshedAt.toISOString(),
    });
    assert.equal(first.kpis.incidents.total, ids.length);
    assert.equal(await readKpis(service, lastDay, at(9), projection), first, 'the same answer until the next refresh');

    // Every `since` a caller sends is a window of its own: a stream of them does not pile up answers.
    for (let minute = 1; minute <= 20; minute++) {
      const from = new Date(refreshedAt.getTime() - minute * 60_000);
      assert.equal((await readKpis(service, { from }, at(10), projection)).kpis.window.since, from.toISOString());
    }
    const again = await readKpis(service, lastDay, at(11), projection);
    assert.notEqual(again, first, 'the first window was let go');
    assert.deepEqual(again, first, 'and computed again alike');
  });

  it('keeps the projection in a worker thread of its own, which answers as the states do, and lists for the request while it is down', async () => {
    const { address, namespace } = harness.temporal;
    const threaded = kpiSources(service, { refreshMs: 60_000, thread: { temporal: { address, namespace } } });
    const since = new Date(Date.now() - 86_400_000);
    try {
      assert.equal(
        await threaded.answers.text({ from: since }, new Date(), 'json'),
        undefined,
        'nothing before a refresh',
      );
      assert.deepEqual(await threaded.answers.refresh(), { kind: 'full', listed: ids.length });
      const states = await Promise.all(ids.map((id) => service.get(id)));
      const json = await threaded.answers.text({ from: since }, new Date(), 'json');
      assert.deepEqual({ read: json?.read, queried: json?.queried }, { read: ids.length, queried: 0 });
      const { asOf, ...kpis } = JSON.parse(json!.text) as Kpis & { asOf: string };
      const expected = computeKpis(sortById(states), { now: new Date(asOf), since });
      assert.deepEqual(inIdOrder(kpis), inIdOrder(JSON.parse(JSON.stringify(expected)) as Kpis), "the states' KPIs");
      const prometheus = await threaded.answers.text({ from: since }, new Date(), 'prometheus');
      assert.equal(prometheus?.text, renderPrometheus(expected));
      assert.match(
        await threaded.metrics.metrics(),
        new RegExp(`^incident_kpi_incidents_read\\{source="summary"\\} ${ids.length}$`, 'm'),
      );

      await threaded.answers.close();
      assert.equal(await threaded.answers.text({ from: since }, new Date(), 'json'), undefined, 'no thread, no answer');
      const now = new Date();
      const listed = await readKpiText(service, { from: since }, now, 'json', threaded.answers);
      assert.equal((JSON.parse(listed.text) as { asOf: string }).asOf, now.toISOString(), 'listed for the request');
      assert.equal((await threaded.answers.refresh())?.kind, 'full', 'the next refresh starts a thread again');
      assert.ok(await threaded.answers.text({ from: since }, new Date(), 'json'));
    } finally {
      await threaded.answers.close();
    }
  });

  it('lists each incident as its state is, and pages through all of them exactly once', async () => {
    const states = new Map((await Promise.all(ids.map((id) => service.get(id)))).map((s) => [s.id, s]));
    const seen: IncidentSummary[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await service.page({ status: 'all' }, { limit: 7, ...(cursor ? { cursor } : {}) });
      assert.ok(page.incidents.length <= 7);
      seen.push(...page.incidents);
      cursor = page.next;
      pages++;
    } while (cursor);
    assert.ok(pages >= Math.ceil(COUNT / 7), `${pages} pages of 7 for ${COUNT}`);
    assert.deepEqual(seen.map((s) => s.id).sort(), [...ids].sort(), 'every incident once');
    for (const summary of seen) {
      const state = states.get(summary.id)!;
      assert.deepEqual(
        {
          severity: summary.severity,
          status: summary.status,
          commander: summary.commander,
          service: summary.service,
          runbook: summary.runbook,
          declaredAt: summary.declaredAt,
          mitigatedAt: summary.mitigatedAt,
          resolvedAt: summary.resolvedAt,
          pendingSteps: summary.pendingSteps,
          openActions: summary.openActions,
          acknowledged: summary.flags.includes('acknowledged'),
        },
        {
          severity: state.severity,
          status: state.status,
          commander: state.commander,
          service: state.service,
          runbook: state.runbook?.id,
          declaredAt: state.declaredAt,
          mitigatedAt: state.mitigatedAt,
          resolvedAt: state.resolvedAt,
          pendingSteps: state.steps.filter((s) => s.status === 'pending').length,
          openActions: state.actions.filter((a) => a.status === 'open').length,
          acknowledged: state.acknowledgedAt !== undefined,
        },
        summary.id,
      );
    }
  });

  it('filters by status, severity, commander, service and runbook as the states say', async () => {
    const states = await Promise.all(ids.map((id) => service.get(id)));
    const listed = async (filter: Parameters<IncidentService['page']>[0]) =>
      (await service.page(filter, { limit: 500 })).incidents.map((s) => s.id).sort();
    const expect = (keep: (s: IncidentState) => boolean) =>
      states
        .filter(keep)
        .map((s) => s.id)
        .sort();
    assert.deepEqual(
      await listed({}),
      expect((s) => s.status !== 'closed'),
      'open by default',
    );
    assert.deepEqual(
      await listed({ status: 'resolved' }),
      expect((s) => s.status === 'resolved'),
    );
    assert.deepEqual(
      await listed({ status: 'all', severity: 'P1' }),
      expect((s) => s.severity === 'P1'),
    );
    assert.deepEqual(
      await listed({ status: 'all', commander: 'bob' }),
      expect((s) => s.commander === 'bob'),
    );
    assert.deepEqual(
      await listed({ status: 'all', service: 'chat' }),
      expect((s) => s.service === 'chat'),
    );
    assert.deepEqual(
      await listed({ status: 'all', runbook: 'generic' }),
      expect((s) => s.runbook?.id === 'generic'),
    );
    assert.deepEqual(
      await listed({ status: 'all', since: new Date(Date.now() + 60_000) }),
      [],
      'none declared in the future',
    );
  });
});

function sameKpis(a: Kpis, b: Kpis): boolean {
  try {
    assert.deepEqual(inIdOrder(a), inIdOrder(b));
    return true;
  } catch {
    return false;
  }
}

/** The KPIs with their lists of incidents in id order (visibility lists in its own order). */
function inIdOrder(kpis: Kpis): Kpis {
  return { ...kpis, repeats: { ...kpis.repeats, incidents: sortById(kpis.repeats.incidents) } };
}

function sortById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.id.localeCompare(b.id));
}
