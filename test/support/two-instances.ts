// What two product instances on one Temporal server must keep true, for the dev-server test
// (test/two-instances.test.ts) and the cluster suite (test/cluster.test.ts): alert groups opened once
// whichever instance takes their alerts, and approvals applied once whichever instance takes them.
import assert from 'node:assert/strict';
import { call, declare, incident, killSwitchIs, settle } from './chaos-api.js';
import { flagChanges, resetFlag } from './chaos-effects.js';
import type { SeededRandom } from './chaos-random.js';
import { readGroup } from './chaos-readings.js';
import type { AlertStorm } from './chaos-storm.js';

/** Each group of the storm made exactly one incident, and it and its intake counted every alert accepted for it. */
export async function assertOneIncidentPerGroup(
  storm: AlertStorm,
  url: string,
  temporal: { address: string; namespace?: string },
): Promise<void> {
  for (const group of storm.groups) {
    const accepted = storm.accepted.get(group)!;
    const reading = await settle(
      () => readGroup(url, temporal, group),
      (r) => r.intakeReceived >= accepted && r.incidentReceived >= accepted && r.incidents === 1,
      60_000,
    );
    assert.equal(reading.incidents, 1, `${group}: exactly one incident`);
    assert.ok(
      reading.intakeReceived >= accepted,
      `${group}: the intake counted ${reading.intakeReceived} of ${accepted} accepted`,
    );
    assert.ok(
      reading.incidentReceived >= accepted,
      `${group}: the incident counted ${reading.incidentReceived} of ${accepted}`,
    );
  }
}

/**
 * `count` incidents declared on either instance at random; for each, `racers` approvals of its kill switch
 * sent at once, each to either instance at random. One is applied and the others refused as no longer
 * pending (409); the timeline has one approval; the local flag file (shared DATA_DIR) one change. The ids.
 */
export async function approveOnBoth(
  urls: [string, string],
  dataDir: string,
  random: SeededRandom,
  { count, racers }: { count: number; racers: number },
): Promise<string[]> {
  const pick = () => urls[random.next() < 0.5 ? 0 : 1];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    await resetFlag(dataDir);
    const id = await declare(pick(), `Two instances: approval race ${i}`);
    ids.push(id);
    await killSwitchIs(pick(), id, 'pending');
    const answers = await Promise.all(
      Array.from({ length: racers }, () =>
        call(pick(), 'POST', `/api/incidents/${id}/approvals`, {
          stepId: 'kill-switch',
          decision: 'approve',
          actor: 'alice',
        }),
      ),
    );
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(
      statuses,
      [200, ...Array<number>(racers - 1).fill(409)],
      `${id}: one approval applied, the rest refused`,
    );
    for (const refused of answers.filter((a) => a.status === 409))
      assert.match(JSON.stringify(refused.body), /not pending/, `${id}: refused as decided already`);
    const state = await killSwitchIs(pick(), id, 'verified');
    assert.equal(state.timeline.filter((e) => e.type === 'containment.approved').length, 1, `${id}: approved once`);
    const changes = (await flagChanges(dataDir)).filter((c) => c.idempotencyKey === `${id}/kill-switch` && c.changed);
    assert.equal(changes.length, 1, `${id}: the flag changed once`);
  }
  // As either instance reads them.
  for (const id of ids)
    for (const url of urls)
      assert.equal((await incident(url, id))?.steps.find((s) => s.id === 'kill-switch')?.status, 'verified');
  return ids;
}
