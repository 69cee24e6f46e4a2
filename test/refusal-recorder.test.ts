// A flood of refused attempts costs the incident a bounded number of signals (issue 18): the first of
// each (incident, actor, request, target) at once, repeats within a minute as one signal with a count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RefusalRecorder } from '../app/refusal-recorder.js';
import type { RefusalInput } from '../workflows/messages.js';

describe('the refusal recorder', () => {
  it('turns 25,000 refusals of one person into two signals carrying every attempt', async () => {
    const sent: { id: string; refusal: RefusalInput }[] = [];
    const recorder = new RefusalRecorder(async (id, refusal) => void sent.push({ id, refusal }));
    const refusal: RefusalInput = {
      actor: 'mallory',
      via: 'api-token',
      decision: 'approve',
      stepId: 'kill-assistant',
      reason: 'not an approver',
    };
    for (let i = 0; i < 25_000; i++) await recorder.record('INC-7K3QX', refusal);
    assert.equal(sent.length, 1, 'the first at once');
    await recorder.flush();
    assert.equal(sent.length, 2);
    assert.equal(
      sent.reduce((n, s) => n + (s.refusal.count ?? 1), 0),
      25_000,
      'every attempt counted',
    );
  });

  it('keeps different people, requests and targets apart', async () => {
    const sent: RefusalInput[] = [];
    const recorder = new RefusalRecorder(async (_id, refusal) => void sent.push(refusal));
    const base: RefusalInput = { actor: 'mallory', decision: 'approve', stepId: 'a', reason: 'no' };
    for (const refusal of [
      base,
      { ...base, actor: 'eve' },
      { ...base, stepId: 'b' },
      { ...base, decision: 'assign-commander' },
    ]) {
      await recorder.record('INC-7K3QX', refusal);
    }
    assert.equal(sent.length, 4);
  });
});
