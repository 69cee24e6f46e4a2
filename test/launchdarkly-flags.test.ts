import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createFlagActivities } from '../activities/flags.js';
import { LaunchDarklyFlagProvider } from '../integrations/flags/launchdarkly.js';
import { startLaunchDarklyFake, type LaunchDarklyFake } from './support/launchdarkly-fake.js';

const TOKEN = 'api-0123456789-secret';
let ld: LaunchDarklyFake;
let provider: LaunchDarklyFlagProvider;

before(async () => {
  const environments = (on: boolean, variation: number) => ({ production: { on, offVariation: 1, fallthrough: { variation }, _version: 1 }, staging: { on: true, offVariation: 1, fallthrough: { variation: 0 }, _version: 1 } });
  ld = await startLaunchDarklyFake({
    project: 'assistant',
    token: TOKEN,
    flags: [
      { key: 'agent-tools.send-email.enabled', variations: [{ _id: 'v-true', value: true }, { _id: 'v-false', value: false }], environments: environments(true, 0) },
      {
        key: 'assistant-model-version',
        variations: [{ _id: 'm-new', value: 'model-2026-11-12' }, { _id: 'm-off', value: 'none' }, { _id: 'm-old', value: 'model-2026-10-01' }],
        environments: environments(true, 0),
      },
    ],
  });
  provider = new LaunchDarklyFlagProvider({ apiToken: TOKEN, projectKey: 'assistant', environmentKey: 'production', apiUrl: ld.url });
});
after(() => ld.stop());

describe('LaunchDarkly flags (REST semantic patch, contract fake)', () => {
  it('turns a kill switch off with a semantic patch commented with the incident, and reads it back', async () => {
    const result = await provider.applyChange({ flagKey: 'agent-tools.send-email.enabled', change: { kind: 'turnOff' }, idempotencyKey: 'INC-7K3QX/disable-send-email', comment: 'INC-7K3QX: Disable send-email (approved by alice)' });
    assert.deepEqual([result.changed, result.previous.on, result.current.on, result.current.value], [true, true, false, false]);
    const patch = ld.requests.find((r) => r.method === 'PATCH')!;
    assert.equal(patch.contentType, 'application/json; domain-model=launchdarkly.semanticpatch');
    assert.equal(patch.authorization, TOKEN, 'LaunchDarkly takes the access token as it is');
    assert.deepEqual(patch.body, {
      environmentKey: 'production',
      comment: 'INC-7K3QX: Disable send-email (approved by alice) [INC-7K3QX/disable-send-email]',
      instructions: [{ kind: 'turnFlagOff' }],
    });
    assert.deepEqual(await provider.readFlag('agent-tools.send-email.enabled'), { flagKey: 'agent-tools.send-email.enabled', on: false, value: false });
    assert.equal(ld.flags.get('agent-tools.send-email.enabled')!.environments.staging!.on, true, 'only the configured environment changes');

    const again = await provider.applyChange({ flagKey: 'agent-tools.send-email.enabled', change: { kind: 'turnOff' }, idempotencyKey: 'INC-7K3QX/disable-send-email', comment: 'retry' });
    assert.equal(again.changed, false);
    assert.equal(ld.requests.filter((r) => r.method === 'PATCH').length, 1, 'no second change in the audit log');
  });

  it('rolls a model back by serving the pinned variation; refuses a value the flag does not have', async () => {
    const rollback = await provider.applyChange({ flagKey: 'assistant-model-version', change: { kind: 'setValue', value: 'model-2026-10-01' }, idempotencyKey: 'k2', comment: 'rollback' });
    assert.deepEqual([rollback.previous.value, rollback.current.value], ['model-2026-11-12', 'model-2026-10-01']);
    assert.deepEqual(ld.requests.at(-1)!.body.instructions, [{ kind: 'updateFallthroughVariationOrRollout', variationId: 'm-old' }]);
    const { applyFlagChange } = createFlagActivities(provider);
    await assert.rejects(applyFlagChange({ flagKey: 'assistant-model-version', change: { kind: 'setValue', value: 'model-1999' }, idempotencyKey: 'k3', comment: 'x' }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
      assert.match(err.message, /has no variation "model-1999"/);
      return true;
    });
    await assert.rejects(applyFlagChange({ flagKey: 'no-such-flag', change: { kind: 'turnOff' }, idempotencyKey: 'k4', comment: 'x' }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
      assert.match(err.message, /no-such-flag in project assistant: not found/);
      assert.doesNotMatch(err.message, new RegExp(TOKEN));
      return true;
    });
  });

  it('retries a 409 (a concurrent change), unlike other 4xx', async () => {
    const { applyFlagChange } = createFlagActivities(provider);
    ld.conflictOnce();
    const change = { flagKey: 'agent-tools.send-email.enabled', change: { kind: 'turnOn' as const }, idempotencyKey: 'k5', comment: 'undo' };
    await assert.rejects(applyFlagChange(change), (err: unknown) => {
      assert.ok(!(err instanceof ApplicationFailure && err.nonRetryable), 'left to the retry policy');
      assert.match((err as Error).message, /409 Conflict: the flag was changed concurrently/);
      return true;
    });
    assert.equal((await applyFlagChange(change)).current.on, true, 'the retry applies it');
  });

  it('on 429 asks Temporal to retry when the rate limit resets', async () => {
    const { readFlag } = createFlagActivities(provider);
    ld.rateLimit(1, 7_000);
    await assert.rejects(readFlag({ flagKey: 'assistant-model-version' }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && !err.nonRetryable);
      assert.equal(err.type, 'FlagServiceBusy');
      const delay = Number(err.nextRetryDelay);
      assert.ok(delay > 5_000 && delay <= 7_000, `next retry in ${delay} ms`);
      return true;
    });
    assert.equal((await readFlag({ flagKey: 'assistant-model-version' })).value, 'model-2026-10-01', 'the retry succeeds');
  });
});
