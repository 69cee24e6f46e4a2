import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplayGuard } from '../app/http/replay-guard.js';
import { signedTimestamp, windowEndMs } from '../app/http/signed-timestamp.js';

describe('ReplayGuard', () => {
  it('takes a key once until it is forgotten, then again', () => {
    let now = 1_000;
    const guard = new ReplayGuard(() => now);
    assert.equal(guard.claim(['a'], 2_000), true);
    assert.equal(guard.claim(['a'], 9_000), false);
    now = 2_000;
    assert.equal(guard.claim(['a'], 3_000), true, 'forgotten at its time');
  });

  it('claims several keys together: none is recorded when one was seen', () => {
    const guard = new ReplayGuard(() => 0);
    assert.equal(guard.claim(['sig:1', 'id:1'], 10), true);
    assert.equal(guard.claim(['sig:2', 'id:1'], 10), false);
    assert.equal(guard.claim(['sig:2'], 10), true, 'sig:2 was not recorded by the refused claim');
  });

  it('forgets released keys, so a failed delivery can be retried', () => {
    const guard = new ReplayGuard(() => 0);
    guard.claim(['a'], 10);
    guard.release(['a']);
    assert.equal(guard.claim(['a'], 10), true);
  });

  it('stays within its capacity however many keys arrive, forgetting the oldest first', () => {
    const guard = new ReplayGuard(() => 0, 100);
    for (let i = 0; i < 10_000; i++) assert.equal(guard.claim([`k${i}`], 1_000), true);
    assert.equal(guard.size, 100);
    assert.equal(guard.claim(['k9999'], 1_000), false, 'the newest are remembered');
    assert.equal(guard.claim(['k0'], 1_000), true, 'the oldest was forgotten');
  });

  it('drops expired entries as it goes, so it does not stay full of them', () => {
    let now = 0;
    const guard = new ReplayGuard(() => now, 1_000);
    for (let i = 0; i < 500; i++) guard.claim([`old${i}`], 100);
    now = 200;
    guard.claim(['new'], 300);
    assert.equal(guard.size, 1);
  });
});

describe('signedTimestamp', () => {
  const now = 1_800_000_000_000;
  it('takes Unix seconds within 5 minutes either way', () => {
    assert.deepEqual(signedTimestamp('X-T', '1800000299', now), { seconds: 1_800_000_299 });
    assert.deepEqual(signedTimestamp('X-T', '1799999701', now), { seconds: 1_799_999_701 });
    assert.equal(windowEndMs(1_800_000_000), now + 300_000);
  });

  it('refuses missing, non-numeric and out-of-window values, naming the header', () => {
    const problem = (value: string | undefined) => {
      const result = signedTimestamp('X-T', value, now);
      return 'problem' in result ? result.problem : 'accepted';
    };
    assert.match(problem(undefined), /^Missing X-T/);
    assert.match(problem(''), /^Missing X-T/);
    for (const value of ['NaN', 'abc', '1.8e9', '0x6b49d200', '-1', '1800000000.0', 'Infinity'])
      assert.match(problem(value), /^X-T must be Unix seconds/, value);
    assert.match(problem('1800000301'), /more than 5 minutes from now/);
    assert.match(problem('0'), /more than 5 minutes from now/);
  });
});
