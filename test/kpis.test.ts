import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import parsePrometheusTextFormat, { type PrometheusMetricFamily } from 'parse-prometheus-text-format';
import { computeKpis, TIMING_KINDS } from '../app/kpis/compute.js';
import { METRIC, renderPrometheus } from '../app/kpis/prometheus.js';
import { expectedSamples, parsedSamples, sampleKey } from './support/prometheus.js';
import type { CorrectiveAction, IncidentState } from '../workflows/types.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const since = new Date('2026-03-01T00:00:00Z');
const now = new Date('2026-03-31T00:00:00Z');

/** An instant in March 2026 (day 0 and below reach back into February), as ISO. */
function march(day: number, hour = 0, minute = 0): string {
  return new Date(Date.UTC(2026, 2, day, hour, minute)).toISOString();
}

function plus(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

function minutesBefore(date: Date, minutes: number): string {
  return new Date(date.getTime() - minutes * MINUTE).toISOString();
}

let counter = 0;
/** A closed incident declared on March 10 with runbook `generic`, unless told otherwise. */
function incident(fields: Partial<IncidentState> & { runbookId?: string } = {}): IncidentState {
  const { runbookId = 'generic', ...rest } = fields;
  const declaredAt = rest.declaredAt ?? march(10);
  counter += 1;
  return {
    id: `INC-T${String(counter).padStart(4, '0')}`,
    title: 'test incident',
    category: 'other',
    severity: 'P2',
    description: '',
    status: 'closed',
    commander: 'ic',
    declaredBy: 'ic',
    declaredAt,
    detectedAt: declaredAt,
    runbook: { id: runbookId, title: runbookId, file: `${runbookId}.yaml`, hash: 'h' },
    triage: [],
    steps: [],
    notified: [],
    paged: [],
    actions: [],
    timeline: [],
    ...rest,
  };
}

function action(id: string, fields: Partial<CorrectiveAction>): CorrectiveAction {
  return {
    id,
    kind: 'prevent',
    title: `action ${id}`,
    owner: 'owner',
    dueAt: march(20),
    addedBy: 'ic',
    addedAt: march(10),
    status: 'open',
    escalation: 'owner',
    reminders: 0,
    ...fields,
  };
}

/** A P1 incident mitigated `minutes` after declaration, under a 45m target. */
function p1Mitigated(day: number, minutes: number, extra: Partial<IncidentState> = {}): IncidentState {
  const declaredAt = march(day, 9);
  return incident({
    severity: 'P1',
    declaredAt,
    mitigationTarget: '45m',
    mitigatedAt: plus(declaredAt, minutes * MINUTE),
    resolvedAt: plus(declaredAt, 2 * minutes * MINUTE),
    ...extra,
  });
}

function timingFixtures(): IncidentState[] {
  return [
    // P1: mitigated after 40, 10, 50, 20, 45 (exactly the target: not breached) and 30 minutes.
    p1Mitigated(2, 40, {
      acknowledgedAt: plus(march(2, 9), 4 * MINUTE),
      detectedAt: plus(march(2, 9), -15 * MINUTE),
    }),
    p1Mitigated(3, 10, { acknowledgedAt: plus(march(3, 9), 2 * MINUTE) }),
    p1Mitigated(4, 50),
    p1Mitigated(5, 20, { acknowledgedAt: plus(march(5, 9), 6 * MINUTE) }),
    p1Mitigated(6, 45),
    p1Mitigated(7, 30),
    // P1, unmitigated: one past its 45m target (breached), one still within it (not yet measured).
    incident({ severity: 'P1', status: 'triaging', declaredAt: minutesBefore(now, 60), mitigationTarget: '45m' }),
    incident({ severity: 'P1', status: 'declared', declaredAt: minutesBefore(now, 10), mitigationTarget: '45m' }),
    // P0 under a 30m target: 5m (met), 90m (breached).
    incident({
      severity: 'P0',
      declaredAt: march(8),
      mitigationTarget: '30m',
      mitigatedAt: plus(march(8), 5 * MINUTE),
    }),
    incident({
      severity: 'P0',
      declaredAt: march(9),
      mitigationTarget: '30m',
      mitigatedAt: plus(march(9), 90 * MINUTE),
    }),
    // P2 without a target.
    incident({ severity: 'P2', declaredAt: march(11), mitigatedAt: plus(march(11), 3 * DAY) }),
    // Declared before `since`: a slow, breached P0 that must not count anywhere.
    incident({ severity: 'P0', declaredAt: march(0), mitigationTarget: '30m', mitigatedAt: plus(march(0), 5 * DAY) }),
    incident({ severity: 'P3', status: 'resolved', declaredAt: march(-5) }),
  ];
}

function repeatFixtures(): IncidentState[] {
  return [
    incident({ id: 'OLD', declaredAt: march(-8), runbookId: 'prompt-injection', fingerprint: 'fp-1' }),
    incident({ id: 'S1', declaredAt: march(2), runbookId: 'model-regression', service: 'chat' }),
    incident({ id: 'N1', declaredAt: march(3) }),
    incident({ id: 'N2', declaredAt: march(4) }), // same runbook, but neither has a fingerprint or service
    incident({ id: 'R1', declaredAt: march(5), runbookId: 'prompt-injection', fingerprint: 'fp-1', service: 'search' }),
    incident({ id: 'S2', declaredAt: march(10), runbookId: 'model-regression', service: 'chat', fingerprint: 'fp-9' }),
    incident({ id: 'X1', declaredAt: march(12), runbookId: 'harmful-output', service: 'chat', fingerprint: 'fp-1' }),
    incident({ id: 'W1', declaredAt: march(-60), runbookId: 'excessive-agency', service: 'agent' }),
    incident({ id: 'W2', declaredAt: march(15), runbookId: 'excessive-agency', service: 'agent' }),
    incident({ id: 'R2', declaredAt: march(20), runbookId: 'prompt-injection', fingerprint: 'fp-1' }),
    incident({ id: 'H1', declaredAt: march(14), runbookId: 'model-regression', fingerprint: 'fp-9' }), // S2's fingerprint, no service
  ];
}

function actionFixtures(): IncidentState[] {
  return [
    incident({
      status: 'postmortem',
      actions: [
        action('A1', { status: 'closed', dueAt: march(20), endedAt: march(18) }), // early; onTime left to the dates
        action('A2', { status: 'closed', dueAt: march(15), endedAt: march(17) }), // late
        action('A3', { status: 'waived', dueAt: march(12), endedAt: march(11), waiverReason: 'superseded' }),
        action('A4', { status: 'open', dueAt: march(25) }), // overdue at March 31
        action('A5', { status: 'open', dueAt: '2026-04-10T00:00:00.000Z' }), // not yet due
      ],
    }),
    // Declared before `since`: its actions are not counted.
    incident({
      declaredAt: march(-3),
      actions: [action('A1', { status: 'open', dueAt: march(1) }), action('A2', { status: 'closed', onTime: true })],
    }),
  ];
}

describe('incident KPIs', () => {
  it('count incidents declared since the window start, by severity', () => {
    const kpis = computeKpis(timingFixtures(), { now, since });
    assert.deepEqual(kpis.window, { since: since.toISOString(), until: now.toISOString() });
    assert.equal(kpis.incidents.total, 11);
    assert.equal(kpis.incidents.open, 2);
    assert.deepEqual(kpis.incidents.bySeverity, { P0: 2, P1: 8, P2: 1, P3: 0 });

    const atSince = computeKpis(
      [incident({ declaredAt: since.toISOString() }), incident({ declaredAt: plus(since.toISOString(), -1) })],
      {
        now,
        since,
      },
    );
    assert.equal(atSince.incidents.total, 1, 'declared exactly at `since` counts, a millisecond before does not');
  });

  it('give nearest-rank medians, p90s and maxima per severity and timing', () => {
    const { timings } = computeKpis(timingFixtures(), { now, since });
    // P1 mitigations, sorted: 10 20 30 40 45 50 minutes. Nearest rank: median = 3rd, p90 = 6th.
    assert.deepEqual(timings.P1.mitigate, {
      count: 6,
      medianMs: 30 * MINUTE,
      p90Ms: 50 * MINUTE,
      maxMs: 50 * MINUTE,
      sumMs: 195 * MINUTE,
    });
    assert.deepEqual(timings.P1.resolve, {
      count: 6,
      medianMs: 60 * MINUTE,
      p90Ms: 100 * MINUTE,
      maxMs: 100 * MINUTE,
      sumMs: 390 * MINUTE,
    });
    assert.deepEqual(timings.P1.acknowledge, {
      count: 3,
      medianMs: 4 * MINUTE,
      p90Ms: 6 * MINUTE,
      maxMs: 6 * MINUTE,
      sumMs: 12 * MINUTE,
    });
    // Every P1 has detectedAt; all but one equal to declaredAt.
    assert.deepEqual(timings.P1.detect, {
      count: 8,
      medianMs: 0,
      p90Ms: 15 * MINUTE,
      maxMs: 15 * MINUTE,
      sumMs: 15 * MINUTE,
    });
    assert.deepEqual(timings.P0.mitigate, {
      count: 2,
      medianMs: 5 * MINUTE,
      p90Ms: 90 * MINUTE,
      maxMs: 90 * MINUTE,
      sumMs: 95 * MINUTE,
    });
    assert.deepEqual(timings.P2.mitigate, {
      count: 1,
      medianMs: 3 * DAY,
      p90Ms: 3 * DAY,
      maxMs: 3 * DAY,
      sumMs: 3 * DAY,
    });
    for (const kind of TIMING_KINDS) {
      assert.deepEqual(timings.P3[kind], { count: 0, medianMs: null, p90Ms: null, maxMs: null, sumMs: 0 }, kind);
    }
    assert.deepEqual(timings.P0.acknowledge.count, 0);
  });

  it('count mitigation target breaches, including unmitigated incidents past their target', () => {
    const { mitigationTargets } = computeKpis(timingFixtures(), { now, since });
    assert.deepEqual(mitigationTargets, {
      // The 5-day P0 declared before `since` is not counted.
      P0: { target: '30m', measured: 2, breached: 1 },
      // 50m breached, 45m on the dot not; unmitigated after 60m breached, after 10m not yet measured.
      P1: { target: '45m', measured: 7, breached: 2 },
      P2: { target: null, measured: 0, breached: 0 },
      P3: { target: null, measured: 0, breached: 0 },
    });

    const later = computeKpis(timingFixtures(), { now: new Date(now.getTime() + 40 * MINUTE), since });
    assert.deepEqual(
      later.mitigationTargets.P1,
      { target: '45m', measured: 8, breached: 3 },
      'the 10-minute one is now past 45m',
    );
  });

  it('find repeats by fingerprint or service under the same runbook, within the window', () => {
    const fixtures = repeatFixtures();
    const { repeats } = computeKpis(fixtures, { now, since });
    assert.deepEqual(repeats.incidents, [
      { id: 'R1', repeatOf: 'OLD' }, // by fingerprint; OLD predates `since` but is within 30 days
      { id: 'S2', repeatOf: 'S1' }, // by service
      { id: 'R2', repeatOf: 'R1' }, // the latest earlier match (OLD is 28 days back, R1 15)
      { id: 'H1', repeatOf: 'S2' }, // by fingerprint fp-9
    ]);
    assert.equal(repeats.count, 4);
    const ids = repeats.incidents.map((r) => r.id);
    assert.ok(!ids.includes('X1'), 'same service and fingerprint under another runbook is no repeat');
    assert.ok(!ids.includes('W2'), 'a match 74 days earlier is outside the window');
    assert.ok(!ids.includes('N2'), 'incidents without fingerprint or service never match');

    const narrow = computeKpis(fixtures, { now, since, repeatWindowMs: 7 * DAY });
    assert.deepEqual(
      narrow.repeats.incidents.map((r) => r.id),
      ['H1'],
      'R1 is 13 days after OLD, S2 8 days after S1, R2 15 days after R1; H1 4 days after S2',
    );
  });

  it('find the same repeats as a comparison of every pair, ties and duplicates of time included', () => {
    // The n² definition the indexed search replaced: the latest earlier match, the smallest id among equals.
    const naive = (all: IncidentState[], windowMs: number) =>
      all.flatMap((later) => {
        const at = Date.parse(later.declaredAt);
        if (at < since.getTime()) return [];
        let latest: IncidentState | undefined;
        for (const earlier of all) {
          const earlierAt = Date.parse(earlier.declaredAt);
          if (earlier.id === later.id || !(earlierAt < at && at - earlierAt <= windowMs)) continue;
          if (earlier.runbook?.id !== later.runbook?.id) continue;
          const same =
            (earlier.fingerprint !== undefined && earlier.fingerprint === later.fingerprint) ||
            (earlier.service !== undefined && earlier.service === later.service);
          const latestAt = latest ? Date.parse(latest.declaredAt) : -Infinity;
          if (same && (earlierAt > latestAt || (earlierAt === latestAt && earlier.id < latest!.id))) latest = earlier;
        }
        return latest ? [{ id: later.id, repeatOf: latest.id }] : [];
      });
    const draw = fc.record({
      // Few instants, so that equal times are common.
      day: fc.constantFrom(-40, -20, -5, 1, 3, 8, 20),
      hour: fc.constantFrom(0, 12),
      runbookId: fc.constantFrom('a', 'b'),
      fingerprint: fc.option(fc.constantFrom('f1', 'f2'), { nil: undefined }),
      service: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(draw, { maxLength: 40 }), fc.constantFrom(7 * DAY, 30 * DAY), (draws, windowMs) => {
        const all = draws.map(({ day, hour, runbookId, fingerprint, service }) =>
          incident({
            declaredAt: march(day, hour),
            runbookId,
            ...(fingerprint ? { fingerprint } : {}),
            ...(service ? { service } : {}),
          }),
        );
        const found = computeKpis(all, { now, since, repeatWindowMs: windowMs }).repeats.incidents;
        assert.deepEqual(found, naive(all, windowMs));
        // The projection and a fresh list hold the same incidents in different orders: the answer is the same.
        const reversed = computeKpis([...all].reverse(), { now, since, repeatWindowMs: windowMs }).repeats.incidents;
        assert.deepEqual(byId(reversed), byId(found));
      }),
      { numRuns: 300 },
    );
  });

  it('give the same answer whatever order the incidents come in, ties in time included', () => {
    // The projection holds incidents in the order it learnt them, a fresh list in visibility's order.
    const tied = [0, 1, 2].map(() =>
      incident({ declaredAt: march(12), mitigatedAt: march(12, 1), service: 'chat', severity: 'P1' }),
    );
    const all = [...timingFixtures(), ...repeatFixtures(), ...actionFixtures(), ...updateFixtures(), ...tied];
    const forward = computeKpis(all, { now, since });
    const reversed = computeKpis([...all].reverse(), { now, since });
    assert.deepEqual(
      { ...reversed, repeats: { ...reversed.repeats, incidents: byId(reversed.repeats.incidents) } },
      { ...forward, repeats: { ...forward.repeats, incidents: byId(forward.repeats.incidents) } },
    );
  });

  it('score corrective actions against their due dates', () => {
    const { actions } = computeKpis(actionFixtures(), { now, since });
    assert.deepEqual(actions, {
      total: 5,
      closedOnTime: 1,
      closedLate: 1,
      waived: 1,
      open: 2,
      overdue: 1,
      due: 3,
      onTimeRate: 1 / 3,
      target: 0.85,
    });

    const judged = computeKpis(
      [
        incident({
          actions: [action('A1', { status: 'closed', dueAt: march(15), endedAt: march(15, 18), onTime: true })],
        }),
      ],
      { now, since },
    );
    assert.equal(judged.actions.closedOnTime, 1, "the workflow's onTime verdict wins over the timestamps");

    const none = computeKpis([incident({ actions: [action('A1', { status: 'waived' })] })], { now, since });
    assert.equal(none.actions.due, 0);
    assert.equal(none.actions.onTimeRate, null);
  });

  it('give the series the console charts: each mitigation against its target, and on-time closure by month of due date', () => {
    const { series } = computeKpis(
      [
        ...actionFixtures(),
        incident({ id: 'M2', severity: 'P0', declaredAt: march(9), mitigatedAt: march(9, 3), mitigationTarget: '2h' }),
        incident({ id: 'M1', severity: 'P1', declaredAt: march(2), mitigatedAt: march(2, 1), mitigationTarget: '4h' }),
        incident({ id: 'U1', severity: 'P1', declaredAt: march(3) }), // not mitigated: no point
        incident({ actions: [action('A1', { status: 'closed', dueAt: '2026-02-27T00:00:00.000Z', onTime: true })] }),
      ],
      { now, since },
    );
    assert.deepEqual(
      series.mitigations.filter((m) => m.id.startsWith('M')),
      [
        { id: 'M1', severity: 'P1', declaredAt: march(2), mitigateMs: 3_600_000, targetMs: 4 * 3_600_000 },
        { id: 'M2', severity: 'P0', declaredAt: march(9), mitigateMs: 3 * 3_600_000, targetMs: 2 * 3_600_000 },
      ],
    );
    assert.deepEqual(series.actionsByMonth, [
      { month: '2026-02', due: 1, closedOnTime: 1, onTimeRate: 1 },
      { month: '2026-03', due: 3, closedOnTime: 1, onTimeRate: 1 / 3 }, // A1 early, A2 late, A4 overdue; A3 waived and A5 not yet due are left out
    ]);
  });
});

function updateFixtures(): IncidentState[] {
  return [
    incident({ severity: 'P1', updateCadence: { onTime: 3, overdue: 1 } }),
    incident({ severity: 'P1', updateCadence: { onTime: 2, overdue: 0 } }),
    incident({ severity: 'P2', updateCadence: { onTime: 0, overdue: 2, overdueSince: march(2) } }),
    incident({ severity: 'P1' }), // declared before the cadence followed updates: not counted
  ];
}

describe('status updates on time', () => {
  it('counts the windows met and missed per severity, and the rate', () => {
    const { statusUpdates } = computeKpis(updateFixtures(), { now, since });
    assert.deepEqual(statusUpdates.P1, { due: 6, onTime: 5, overdue: 1, onTimeRate: 5 / 6 });
    assert.deepEqual(statusUpdates.P2, { due: 2, onTime: 0, overdue: 2, onTimeRate: 0 });
    assert.deepEqual(statusUpdates.P0, { due: 0, onTime: 0, overdue: 0, onTimeRate: null });
    const parsed = parsedSamples(renderPrometheus(computeKpis(updateFixtures(), { now, since })));
    assert.equal(parsed.get(sampleKey(METRIC.statusUpdatesOnTime, { severity: 'P1' })), 5 / 6);
    assert.equal(parsed.get(sampleKey(METRIC.statusUpdates, { severity: 'P2', state: 'overdue' })), 2);
    assert.ok(!parsed.has(sampleKey(METRIC.statusUpdatesOnTime, { severity: 'P0' })), 'no rate without a window');
  });
});

function familiesByName(text: string): Map<string, PrometheusMetricFamily> {
  return new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
}

describe('KPIs in the Prometheus text format', () => {
  const kpis = computeKpis([...timingFixtures(), ...repeatFixtures(), ...actionFixtures(), ...updateFixtures()], {
    now,
    since,
  });

  it('parses, with HELP and TYPE for every family', () => {
    const text = renderPrometheus(kpis);
    assert.ok(text.endsWith('\n'));
    const families = familiesByName(text);
    const expectedTypes: Record<string, PrometheusMetricFamily['type']> = {
      [METRIC.windowStart]: 'GAUGE',
      [METRIC.windowEnd]: 'GAUGE',
      [METRIC.incidents]: 'GAUGE',
      [METRIC.open]: 'GAUGE',
      incident_time_to_detect_seconds: 'GAUGE',
      incident_time_to_detect_measured: 'GAUGE',
      incident_time_to_acknowledge_seconds: 'GAUGE',
      incident_time_to_acknowledge_measured: 'GAUGE',
      incident_time_to_mitigate_seconds: 'GAUGE',
      incident_time_to_mitigate_measured: 'GAUGE',
      incident_time_to_resolve_seconds: 'GAUGE',
      incident_time_to_resolve_measured: 'GAUGE',
      [METRIC.targetBreaches]: 'GAUGE',
      [METRIC.targetMeasured]: 'GAUGE',
      [METRIC.repeats]: 'GAUGE',
      [METRIC.actions]: 'GAUGE',
      [METRIC.onTimeRatio]: 'GAUGE',
      [METRIC.onTimeTarget]: 'GAUGE',
      [METRIC.statusUpdates]: 'GAUGE',
      [METRIC.statusUpdatesOnTime]: 'GAUGE',
    };
    assert.deepEqual(
      Object.fromEntries([...families].map(([name, family]) => [name, family.type])),
      expectedTypes,
      'one family per metric, each with its TYPE',
    );
    for (const family of families.values()) {
      assert.ok(family.name.startsWith('incident_'), family.name);
      assert.ok(family.help.length > 0, `${family.name} has HELP`);
    }
    assert.equal(text.match(/^# HELP /gm)?.length, Object.keys(expectedTypes).length);
    assert.equal(text.match(/^# TYPE /gm)?.length, Object.keys(expectedTypes).length);
  });

  it('carries exactly the numbers of the Kpis object, in seconds', () => {
    assert.ok(kpis.actions.onTimeRate !== null && kpis.repeats.count > 0 && kpis.timings.P1.mitigate.count > 0);
    const parsed = parsedSamples(renderPrometheus(kpis));
    assert.deepEqual(parsed, expectedSamples(kpis, {}));
    // Spot-check the mapping itself, not only the round-trip.
    assert.equal(
      parsed.get(sampleKey(METRIC.timing.mitigate, { severity: 'P1', stat: 'p90' })),
      kpis.timings.P1.mitigate.p90Ms! / 1000,
    );
    assert.equal(
      parsed.get(sampleKey('incident_time_to_mitigate_measured', { severity: 'P1' })),
      kpis.timings.P1.mitigate.count,
    );
    assert.equal(parsed.get(sampleKey(METRIC.onTimeRatio, {})), kpis.actions.onTimeRate);
    assert.ok(
      !parsed.has(sampleKey(METRIC.timing.mitigate, { severity: 'P3', stat: 'median' })),
      'no statistic without data',
    );
  });

  it('omits the on-time ratio when nothing is due', () => {
    const empty = computeKpis([], { now, since });
    assert.equal(empty.actions.onTimeRate, null);
    const text = renderPrometheus(empty);
    const parsed = parsedSamples(text);
    assert.deepEqual(parsed, expectedSamples(empty, {}));
    assert.ok(![...parsed.keys()].some((key) => key.startsWith(`${METRIC.onTimeRatio}{`)));
    assert.ok(familiesByName(text).has(METRIC.onTimeRatio), 'the family is still described');
  });

  it('escapes label values so that quotes, backslashes and line feeds round-trip', () => {
    const deployment = 'eu "west" \\ C:\\dir\\\nsecond line';
    const text = renderPrometheus(kpis, { labels: { deployment } });
    assert.ok(text.includes('deployment="eu \\"west\\" \\\\ C:\\\\dir\\\\\\nsecond line"'), 'escaped in the text');
    assert.ok(!text.split('\n').some((line) => line.startsWith('second line')), 'no raw line feed in a sample');
    const parsed = parsedSamples(text);
    assert.deepEqual(parsed, expectedSamples(kpis, { deployment }));
    for (const family of parsePrometheusTextFormat(text)) {
      for (const metric of family.metrics) assert.equal(metric.labels?.deployment, deployment, family.name);
    }
  });

  it('refuses constant labels that are invalid or clash with its own', () => {
    assert.throws(() => renderPrometheus(kpis, { labels: { 'bad-name': 'x' } }), /label name/);
    assert.throws(() => renderPrometheus(kpis, { labels: { severity: 'x' } }), /severity/);
  });
});

function byId<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
