// The projection's bookkeeping between full lists, against scripted visibility answers: which incidents
// it holds, and how many of them it holds from a query (no read summary yet), as /metrics reports them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KpiIncident } from '../app/kpis/compute.js';
import { KpiProjection, type KpiListing } from '../app/kpis/kpi-projection.js';

const now = new Date('2026-12-06T12:00:00Z');
const incident = (id: string, minutesAgo: number): KpiIncident => ({
  id,
  declaredAt: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
  severity: 'P2',
  status: 'declared',
  actions: [],
});

/** A projection whose listings are the given answers, in turn: the first is the full list, the rest changes. */
function projection(listings: KpiListing[]) {
  let clock = now;
  const projected = new KpiProjection({
    list: async () => listings.shift()!,
    windowMs: 86_400_000,
    maxAgeMs: 600_000,
    fullEveryMs: 900_000,
    overlapMs: 60_000,
    clock: () => clock,
  });
  return {
    refresh: async () => {
      await projected.refresh();
      clock = new Date(clock.getTime() + 15_000);
    },
    read: () => projected.kpis({ lastMs: 86_400_000 }, clock)!,
  };
}

describe('the KPI projection between full lists', () => {
  it('counts an incident first read by query as read from visibility once a change lists its summary', async () => {
    const p = projection([
      { incidents: [incident('INC-A', 5), incident('INC-B', 4)], unreadable: ['INC-C'], queried: ['INC-B', 'INC-C'] },
      { incidents: [incident('INC-B', 4)], unreadable: [], queried: [] },
      { incidents: [incident('INC-C', 3)], unreadable: [], queried: ['INC-C'] },
    ]);
    await p.refresh();
    assert.deepEqual(pick(p.read()), { read: 2, queried: 1, unreadable: ['INC-C'] }, 'INC-B queried, INC-C unreadable');
    await p.refresh();
    assert.deepEqual(pick(p.read()), { read: 2, queried: 0, unreadable: ['INC-C'] }, 'INC-B has published its summary');
    await p.refresh();
    assert.deepEqual(pick(p.read()), { read: 3, queried: 1, unreadable: [] }, 'INC-C read, by query');
  });
});

const pick = ({ read, queried, unreadable }: { read: number; queried: number; unreadable: string[] }) => ({
  read,
  queried,
  unreadable,
});
