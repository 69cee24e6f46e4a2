// Status updates after the worker was away, on the dev server with real time: the reminder timer fires
// late, several windows of the cadence have passed, and the incident is reminded once with each window
// counted, not once per window all at once (workflows/incident/status-updates.ts).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IncidentService } from '../app/incident-service.js';
import type { IncidentState } from '../workflows/types.js';
import { eventually } from './support/eventually.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const EVERY_S = 4;
const AWAY_MS = 4.5 * EVERY_S * 1000;
let harness: TemporalHarness;
let service: IncidentService;

before(async () => {
  // Two cached incidents at most (the fewest the SDK takes): after the restart its history is replayed, as after a night's stop.
  harness = await startTemporalHarness({ cacheSize: 2 });
  const file = join(harness.dataDir, 'runbooks', 'generic.yaml');
  const shipped = await readFile(file, 'utf8');
  const fast = shipped.replace(/(P1: \{[^}]*statusUpdateEvery: )1h/, `$1${EVERY_S}s`);
  assert.notEqual(fast, shipped, 'the generic runbook has a P1 cadence to shorten');
  await writeFile(file, fast);
  await harness.runbooks.requireValid();
  service = harness.service();
});
after(() => harness?.stop());

const overdueEvents = (state: IncidentState) => state.timeline.filter((e) => e.type === 'update.overdue');

describe('status updates after the worker was away', () => {
  it(`a P1 (every ${EVERY_S}s) whose worker was stopped for ${AWAY_MS / 1000}s is reminded once, with every window counted`, async () => {
    const { id } = await service.declare({
      title: 'Summaries invent citations',
      category: 'other',
      severity: 'P1',
      declaredBy: 'alice',
    });
    await eventually(
      () => service.get(id),
      (s) => s.statusUpdateDue !== undefined,
      'the first status update due',
    );
    let back = 0;
    await harness.workerAway(async () => {
      await new Promise((resolve) => setTimeout(resolve, AWAY_MS));
      back = Date.now();
    });
    // Read once the reminder has been sent and the next window set (the state while its notification runs still
    // shows the due time it is reminding of).
    const state = await eventually(
      () => service.get(id),
      (s) => {
        const caughtUp = overdueEvents(s).find((e) => Date.parse(e.at) >= back);
        return caughtUp !== undefined && Date.parse(s.statusUpdateDue ?? '') > Date.parse(caughtUp.at);
      },
      'a reminder after the worker came back, and the next window set',
      30_000,
    );
    const [catchUp, ...later] = overdueEvents(state).filter((e) => Date.parse(e.at) >= back);
    const due = Date.parse(String(catchUp!.data?.due));
    const passed = Math.floor((back - due) / (EVERY_S * 1000));
    assert.ok(
      passed >= 2,
      `the worker was away past several due times (${passed} after ${String(catchUp!.data?.due)})`,
    );
    const windowsMissed = Number(catchUp!.data?.windowsMissed);
    assert.ok(
      windowsMissed >= 1 + passed,
      `one reminder counts the ${1 + passed} windows that passed while away: ${catchUp!.message}`,
    );
    assert.match(catchUp!.message, new RegExp(`more windows of ${EVERY_S}s passed before the reminder could run`));
    // A later reminder is for a window that ended after the catch-up, never for one that passed while away.
    for (const event of later)
      assert.ok(Date.parse(String(event.data?.due)) > Date.parse(catchUp!.at), `${event.message} after ${catchUp!.at}`);
    const counted = overdueEvents(state).reduce((n, e) => n + Number(e.data?.windowsMissed ?? 1), 0);
    assert.equal(state.updateCadence?.overdue, counted, 'the KPIs count each window missed');
    const nextReminder = later[0] ? Date.parse(later[0].at) : Infinity;
    const sent = (await harness.notifier.sent()).filter(
      (n) => n.incidentId === id && n.subject === 'Status update due' && Date.parse(n.at) >= back,
    );
    assert.equal(
      sent.filter((n) => Date.parse(n.at) < nextReminder).length,
      1,
      'one message to the IC on catching up, not one per window',
    );
  });
});
