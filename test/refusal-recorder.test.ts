// A flood of refused attempts costs the incident a bounded number of signals (issue 18): the first of
// each (incident, actor, request, target) at once, repeats within a minute as one signal with a count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NAMED_PER_MINUTE, OTHERS_ACTOR, RefusalRecorder } from '../app/refusal-recorder.js';
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

  it('names at most 50 different refusers of one incident a minute and counts the rest as others in one signal', async () => {
    const sent: { id: string; refusal: RefusalInput }[] = [];
    const recorder = new RefusalRecorder(async (id, refusal) => void sent.push({ id, refusal }));
    for (let i = 0; i < 5_000; i++)
      await recorder.record('INC-7K3QX', {
        actor: `sock-${i}`,
        via: 'slack',
        decision: 'approve',
        stepId: 'kill-assistant',
        reason: 'not an approver',
      });
    await recorder.record('INC-9TTTT', { actor: 'sock-1', decision: 'approve', stepId: 'x', reason: 'no' });
    const first = sent.filter((s) => s.id === 'INC-7K3QX');
    assert.equal(first.length, NAMED_PER_MINUTE, 'the first ones at once, each named');
    assert.ok(first.every((s) => s.refusal.actor.startsWith('sock-')));
    assert.equal(sent.filter((s) => s.id === 'INC-9TTTT').length, 1, 'another incident has its own allowance');
    await recorder.flush();
    const others = sent.filter((s) => s.refusal.actor === OTHERS_ACTOR);
    assert.equal(others.length, 1, 'the rest as one signal');
    assert.equal(others[0]!.refusal.count, 5_000 - NAMED_PER_MINUTE);
    assert.match(
      others[0]!.refusal.reason,
      /^4950 more refused requests from 4950 people within a minute; the last: not an approver$/,
    );
    assert.equal(
      sent.filter((s) => s.id === 'INC-7K3QX').reduce((n, s) => n + (s.refusal.count ?? 1), 0),
      5_000,
      'every attempt counted',
    );
  });
});
