import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createFlagActivities } from '../activities/flags.js';
import { LaunchDarklyFlagProvider } from '../integrations/flags/launchdarkly.js';
import { FlagChangeRefused } from '../integrations/flags/provider.js';
import { changeTookEffect } from '../integrations/flags/expectations.js';
import { startLaunchDarklyFake, type LaunchDarklyFake, type SdkFlag } from './support/launchdarkly-fake.js';

const TOKEN = 'api-0123456789-secret';
const SDK_KEY = 'sdk-5e1f0a77-c0de-secret';
let ld: LaunchDarklyFake;
let provider: LaunchDarklyFlagProvider;
/** Evaluates through the server SDK, streaming from the fake. */
let sdkProvider: LaunchDarklyFlagProvider;
const sdkLogs: string[] = [];
const logAt =
  (level: string) =>
  (...args: unknown[]): void => {
    sdkLogs.push(`${level}: ${args.join(' ')}`);
  };
const sdkLogger = { error: logAt('error'), warn: logAt('warn'), info: logAt('info'), debug: logAt('debug') };

before(async () => {
  const environments = (on: boolean, variation: number) => ({
    production: { on, offVariation: 1, fallthrough: { variation }, _version: 1 },
    staging: { on: true, offVariation: 1, fallthrough: { variation: 0 }, _version: 1 },
  });
  ld = await startLaunchDarklyFake({
    project: 'assistant',
    token: TOKEN,
    sdkKey: SDK_KEY,
    environment: 'production',
    flags: [
      {
        key: 'agent-tools.web-browse.enabled',
        variations: [
          { _id: 'w-true', value: true },
          { _id: 'w-false', value: false },
        ],
        environments: environments(true, 0),
      },
      {
        key: 'agent-tools.send-email.enabled',
        variations: [
          { _id: 'v-true', value: true },
          { _id: 'v-false', value: false },
        ],
        environments: environments(true, 0),
      },
      {
        key: 'assistant-model-version',
        variations: [
          { _id: 'm-new', value: 'model-2026-11-12' },
          { _id: 'm-off', value: 'none' },
          { _id: 'm-old', value: 'model-2026-10-01' },
        ],
        environments: environments(true, 0),
      },
    ],
  });
  provider = new LaunchDarklyFlagProvider({
    apiToken: TOKEN,
    projectKey: 'assistant',
    environmentKey: 'production',
    apiUrl: ld.url,
  });
  sdkProvider = new LaunchDarklyFlagProvider({
    apiToken: TOKEN,
    projectKey: 'assistant',
    environmentKey: 'production',
    apiUrl: ld.url,
    sdkKey: SDK_KEY,
    baseUri: ld.url,
    sdkInitTimeoutSeconds: 5,
    verifyTimeoutMs: 1_000,
    sdkLogger,
  });
});
after(async () => {
  provider.close();
  sdkProvider.close();
  await ld.stop();
});

describe('LaunchDarkly flags (REST semantic patch, contract fake)', () => {
  it('turns a kill switch off with a semantic patch commented with the incident, and reads it back', async () => {
    const result = await provider.applyChange({
      flagKey: 'agent-tools.send-email.enabled',
      change: { kind: 'turnOff' },
      idempotencyKey: 'INC-7K3QX/disable-send-email',
      comment: 'INC-7K3QX: Disable send-email (approved by alice)',
    });
    assert.deepEqual(
      [result.changed, result.previous.on, result.current.on, result.current.value],
      [true, true, false, false],
    );
    const patch = ld.requests.find((r) => r.method === 'PATCH')!;
    assert.equal(patch.contentType, 'application/json; domain-model=launchdarkly.semanticpatch');
    assert.equal(patch.authorization, TOKEN, 'LaunchDarkly takes the access token as it is');
    assert.deepEqual(patch.body, {
      environmentKey: 'production',
      comment: 'INC-7K3QX: Disable send-email (approved by alice) [INC-7K3QX/disable-send-email]',
      instructions: [{ kind: 'turnFlagOff' }],
    });
    assert.deepEqual(await provider.readFlag('agent-tools.send-email.enabled'), {
      flagKey: 'agent-tools.send-email.enabled',
      on: false,
      value: false,
      observedVia: 'the LaunchDarkly REST API',
    });
    assert.equal(
      ld.flags.get('agent-tools.send-email.enabled')!.environments.staging!.on,
      true,
      'only the configured environment changes',
    );

    const again = await provider.applyChange({
      flagKey: 'agent-tools.send-email.enabled',
      change: { kind: 'turnOff' },
      idempotencyKey: 'INC-7K3QX/disable-send-email',
      comment: 'retry',
    });
    assert.equal(again.changed, false);
    assert.deepEqual(
      [again.previous.on, again.current.on],
      [true, false],
      'the retry finds its own change in the audit log, so undo knows the state before it',
    );
    assert.match(again.summary, /on, serving true → off \(serves false\) \(already applied\)$/);
    const other = await provider.applyChange({
      flagKey: 'agent-tools.send-email.enabled',
      change: { kind: 'turnOff' },
      idempotencyKey: 'INC-OTHER/disable-send-email',
      comment: 'another incident',
    });
    assert.deepEqual([other.changed, other.previous.on], [false, false], 'another incident finds it already off');
    assert.equal(ld.requests.filter((r) => r.method === 'PATCH').length, 1, 'no second change in the audit log');
  });

  it('rolls a model back by serving the pinned variation; refuses a value the flag does not have', async () => {
    const rollback = await provider.applyChange({
      flagKey: 'assistant-model-version',
      change: { kind: 'setValue', value: 'model-2026-10-01' },
      idempotencyKey: 'k2',
      comment: 'rollback',
    });
    assert.deepEqual([rollback.previous.value, rollback.current.value], ['model-2026-11-12', 'model-2026-10-01']);
    assert.deepEqual(ld.requests.at(-1)!.body.instructions, [
      { kind: 'updateFallthroughVariationOrRollout', variationId: 'm-old' },
    ]);
    const { applyFlagChange } = createFlagActivities(provider);
    await assert.rejects(
      applyFlagChange({
        flagKey: 'assistant-model-version',
        change: { kind: 'setValue', value: 'model-1999' },
        idempotencyKey: 'k3',
        comment: 'x',
      }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
        assert.match(err.message, /has no variation "model-1999"/);
        return true;
      },
    );
    await assert.rejects(
      applyFlagChange({ flagKey: 'no-such-flag', change: { kind: 'turnOff' }, idempotencyKey: 'k4', comment: 'x' }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
        assert.match(err.message, /no-such-flag in project assistant: not found/);
        assert.doesNotMatch(err.message, new RegExp(TOKEN));
        return true;
      },
    );
  });

  it('retries a 409 (a concurrent change), unlike other 4xx', async () => {
    const { applyFlagChange } = createFlagActivities(provider);
    ld.conflictOnce();
    const change = {
      flagKey: 'agent-tools.send-email.enabled',
      change: { kind: 'turnOn' as const },
      idempotencyKey: 'k5',
      comment: 'undo',
    };
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
    assert.equal(
      (await readFlag({ flagKey: 'assistant-model-version' })).value,
      'model-2026-10-01',
      'the retry succeeds',
    );
  });
});

describe('LaunchDarkly flags: verification through the server SDK (streaming, contract fake)', () => {
  const key = 'agent-tools.web-browse.enabled';
  const context = { kind: 'user', key: 'u-42' };

  it('sees a kill switch turned off through REST by the patch on its stream, evaluated for the given context', async () => {
    assert.deepEqual(await sdkProvider.readFlag(key, { context }), {
      flagKey: key,
      on: true,
      value: true,
      observedVia: 'the LaunchDarkly SDK for user "u-42"',
    });
    assert.equal(ld.streams.length, 1);
    assert.deepEqual(
      ld.streams[0],
      { path: '/all', authorization: SDK_KEY, open: true },
      'the SDK streams with its SDK key as it is',
    );
    assert.deepEqual(
      ld.pushed.map((p) => p.event),
      ['put'],
    );

    ld.delayStreamUpdates(300);
    const result = await sdkProvider.applyChange({
      flagKey: key,
      change: { kind: 'turnOff' },
      idempotencyKey: 'INC-7K3QX/disable-web-browse',
      comment: 'INC-7K3QX: Disable web-browse',
    });
    assert.deepEqual(
      [result.changed, result.previous.on, result.previous.observedVia],
      [true, true, 'the LaunchDarkly REST API'],
      'previous comes from REST',
    );
    const started = Date.now();
    const verified = await sdkProvider.readFlag(key, { expect: { kind: 'turnOff' }, context });
    ld.delayStreamUpdates(0);
    assert.deepEqual(verified, {
      flagKey: key,
      on: false,
      value: false,
      observedVia: 'the LaunchDarkly SDK for user "u-42"',
    });
    assert.ok(changeTookEffect({ kind: 'turnOff' }, verified));
    assert.ok(Date.now() - started >= 250, 'waited for the stream to deliver the change');

    const patches = ld.pushed.filter((p) => p.event === 'patch');
    assert.equal(patches.length, 1);
    assert.equal(patches[0]!.data.path, `/flags/${key}`);
    assert.deepEqual([(patches[0]!.data.data as SdkFlag).on, (patches[0]!.data.data as SdkFlag).version], [false, 2]);
    assert.equal(
      ld.streams.length,
      1,
      'still the first connection: the reading came from the patch, not from a new put',
    );
  });

  it('returns the latest reading when the change does not show within the wait', async () => {
    const started = Date.now();
    const reading = await sdkProvider.readFlag(key, { expect: { kind: 'turnOn' }, context });
    assert.deepEqual([reading.on, reading.value], [false, false]);
    assert.ok(!changeTookEffect({ kind: 'turnOn' }, reading));
    assert.ok(Date.now() - started >= 900, 'waited about verifyTimeoutMs');
  });

  it('refuses a reading of a flag LaunchDarkly does not have (FLAG_NOT_FOUND), without retries', async () => {
    await assert.rejects(sdkProvider.readFlag('no-such-flag', { context }), (err: unknown) => {
      assert.ok(err instanceof FlagChangeRefused);
      assert.match(err.message, /flag "no-such-flag" for user "u-42" in environment production: FLAG_NOT_FOUND/);
      assert.doesNotMatch(err.message, new RegExp(SDK_KEY));
      return true;
    });
    const { readFlag } = createFlagActivities(sdkProvider);
    await assert.rejects(readFlag({ flagKey: 'no-such-flag' }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
      assert.match(
        err.message,
        /for user "incident-response-verifier" .*FLAG_NOT_FOUND/,
        'the default verification context',
      );
      assert.doesNotMatch(err.message, new RegExp(SDK_KEY));
      return true;
    });
  });

  it('keeps SDK keys out of errors and logs; a wrong SDK key is refused', async () => {
    const wrongKey = 'sdk-00000000-wrong-secret';
    const wrong = new LaunchDarklyFlagProvider({
      apiToken: TOKEN,
      projectKey: 'assistant',
      environmentKey: 'production',
      apiUrl: ld.url,
      sdkKey: wrongKey,
      baseUri: ld.url,
      sdkInitTimeoutSeconds: 5,
      sdkLogger,
    });
    try {
      await assert.rejects(wrong.readFlag(key, { context }), (err: unknown) => {
        assert.ok(err instanceof FlagChangeRefused, 'retrying will not fix the key');
        assert.match(err.message, /SDK for environment production could not connect: Authentication failed/);
        assert.doesNotMatch(err.message, new RegExp(wrongKey));
        return true;
      });
    } finally {
      wrong.close();
    }
    assert.deepEqual(ld.streams.at(-1), { path: '/all', authorization: wrongKey, open: false });
    assert.ok(sdkLogs.length > 0, 'the SDK did log (the 401)');
    for (const line of sdkLogs) {
      assert.doesNotMatch(line, new RegExp(SDK_KEY));
      assert.doesNotMatch(line, new RegExp(wrongKey));
    }
  });
});
