// One person's requests to one incident: a burst, then a steady rate (app/request-rate.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BURST, RATE_PER_SECOND, RequestRate } from '../app/request-rate.js';

describe('the request rate', () => {
  it('lets a burst through, then one request per 1/RATE seconds, and says how long to wait', () => {
    let now = 1_000_000;
    const rate = new RequestRate(() => now);
    for (let i = 0; i < BURST; i++) assert.equal(rate.take('INC-1', 'mallory'), undefined, `request ${i + 1}`);
    assert.equal(rate.take('INC-1', 'mallory'), 1, 'the burst is spent');
    now += 1000 / RATE_PER_SECOND;
    assert.equal(rate.take('INC-1', 'mallory'), undefined, 'one more after 1/RATE s');
    assert.equal(rate.take('INC-1', 'mallory'), 1);
    now += 60_000;
    for (let i = 0; i < BURST; i++)
      assert.equal(rate.take('INC-1', 'mallory'), undefined, 'refilled, never past the burst');
    assert.equal(rate.take('INC-1', 'mallory'), 1);
  });

  it('keeps a bucket per person and incident', () => {
    const rate = new RequestRate(() => 0);
    for (let i = 0; i < BURST; i++) rate.take('INC-1', 'mallory');
    assert.equal(rate.take('INC-1', 'mallory'), 1);
    assert.equal(rate.take('INC-1', 'alice'), undefined);
    assert.equal(rate.take('INC-2', 'mallory'), undefined);
  });

  it('stays bounded with a million different people (a sweep at most every 5,000 new ones)', () => {
    let now = 0;
    const rate = new RequestRate(() => now);
    for (let i = 0; i < BURST; i++) rate.take('INC-1', 'mallory');
    for (let i = 0; i < 1_000_000; i++) {
      rate.take('INC-1', `sock-${i}`);
      now += 0.001;
    }
    const buckets = (rate as unknown as { buckets: Map<string, unknown> }).buckets;
    assert.ok(buckets.size <= 10_000, `${buckets.size} buckets`);
  });
});
