// The worker keeps at most WORKFLOW_CACHE_SIZE incident workflows in memory; an evicted one replays
// its history when it next runs and carries on as if it had never left.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IncidentService } from '../app/incident-service.js';
import { startTemporalHarness, type TemporalHarness } from './support/temporal.js';

const CACHE = 4;
let harness: TemporalHarness;
let service: IncidentService;

before(async () => {
  harness = await startTemporalHarness({ cacheSize: CACHE });
  service = harness.service();
});
after(() => harness?.stop());

describe('the worker cache', () => {
  it('holds no more incidents than its size, and an evicted incident still takes decisions', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3 * CACHE; i++) {
      const { id } = await service.declare({
        title: `Injection ${i}`,
        category: 'prompt-injection',
        severity: 'P2',
        declaredBy: 'alice',
      });
      ids.push(id);
      assert.ok(harness.worker.getStatus().numCachedWorkflows <= CACHE, 'the cache never grows past its size');
    }
    const first = ids[0]!;
    const step = await service.decide(first, { stepId: 'disable-send-email', decision: 'approve' }, 'sam');
    assert.equal(step.status, 'verified', 'the first incident was evicted long ago, replayed, and ran the step');
    const state = await service.get(first);
    assert.equal(state.timeline.filter((e) => e.type === 'containment.executed').length, 1);
    assert.ok(harness.worker.getStatus().numCachedWorkflows <= CACHE);
  });
});
