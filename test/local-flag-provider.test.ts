import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { LocalFileFlagProvider } from '../integrations/flags/local-file.js';
import { FlagChangeRefused, type FlagChange } from '../integrations/flags/provider.js';
import { tempDir } from './support/paths.js';

let flags: LocalFileFlagProvider;

beforeEach(async () => {
  flags = new LocalFileFlagProvider(`${await tempDir('flags')}/flags.json`);
});

const off: FlagChange = { kind: 'turnOff' };
const request = (flagKey: string, change: FlagChange = off, idempotencyKey = `INC-TEST1/${flagKey}`) => ({
  flagKey,
  change,
  idempotencyKey,
  comment: 'test',
});

describe('local flag provider (LaunchDarkly file data source format)', () => {
  it('creates example flags once, and never overwrites an existing file', async () => {
    assert.equal(await flags.ensureExists(), true);
    assert.equal((await flags.readFlag('ai-assistant-enabled')).value, true);
    await writeFile(flags.path, JSON.stringify({ flagValues: { mine: true } }));
    assert.equal(await flags.ensureExists(), false);
    assert.deepEqual(JSON.parse(await readFile(flags.path, 'utf8')), { flagValues: { mine: true } });
  });

  it('turns a flagValues flag off, keeps the rest of the file, and logs the change', async () => {
    await writeFile(flags.path, JSON.stringify({ flagValues: { chat: true, other: 'x' }, segments: {} }));
    const result = await flags.applyChange(request('chat'));
    assert.deepEqual([result.previous.value, result.current.value, result.changed], [true, false, true]);
    assert.deepEqual(JSON.parse(await readFile(flags.path, 'utf8')), {
      flagValues: { chat: false, other: 'x' },
      segments: {},
    });
    assert.deepEqual(await flags.readFlag('chat'), {
      flagKey: 'chat',
      on: false,
      value: false,
      observedVia: 'the local flag file',
    });
    const [entry] = await flags.changes();
    assert.equal(entry?.idempotencyKey, 'INC-TEST1/chat');
  });

  it('sets values: a rate limit, a model version', async () => {
    await writeFile(flags.path, JSON.stringify({ flagValues: { limit: 60, model: 'm-new' } }));
    await flags.applyChange(request('limit', { kind: 'setValue', value: 10 }));
    await flags.applyChange(request('model', { kind: 'setValue', value: 'm-old' }));
    assert.deepEqual(JSON.parse(await readFile(flags.path, 'utf8')).flagValues, { limit: 10, model: 'm-old' });
  });

  it('turns a full flag off with on: false, and serves a variation through the fallthrough', async () => {
    const flag = {
      key: 'model',
      on: true,
      variations: ['gpt-new', 'gpt-old'],
      offVariation: 1,
      fallthrough: { variation: 0 },
    };
    await writeFile(flags.path, JSON.stringify({ flags: { model: flag } }));
    assert.equal((await flags.readFlag('model')).value, 'gpt-new');
    const result = await flags.applyChange(request('model'));
    assert.deepEqual([result.previous.value, result.current.value, result.current.on], ['gpt-new', 'gpt-old', false]);
    await flags.applyChange(request('model', { kind: 'turnOn' }, 'k2'));
    await flags.applyChange(request('model', { kind: 'setValue', value: 'gpt-old' }, 'k3'));
    const file = JSON.parse(await readFile(flags.path, 'utf8'));
    assert.deepEqual([file.flags.model.on, file.flags.model.fallthrough.variation], [true, 1]);
    await assert.rejects(
      flags.applyChange(request('model', { kind: 'setValue', value: 'gpt-9' }, 'k4')),
      /has no variation "gpt-9"/,
    );
  });

  it('is idempotent: a retry with the same key changes and logs nothing more', async () => {
    await writeFile(flags.path, JSON.stringify({ flagValues: { chat: true } }));
    await flags.applyChange(request('chat'));
    const retry = await flags.applyChange(request('chat'));
    assert.equal(retry.changed, false);
    assert.match(retry.summary, /already applied/);
    assert.equal(retry.previous.value, true, 'a retry reports what the first attempt saw');
    assert.equal((await flags.changes()).length, 1);
  });

  it('serialises concurrent changes and leaves no temporary files', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `f${i}`);
    await writeFile(flags.path, JSON.stringify({ flagValues: Object.fromEntries(keys.map((k) => [k, true])) }));
    await Promise.all(keys.map((k) => flags.applyChange(request(k))));
    const file = JSON.parse(await readFile(flags.path, 'utf8'));
    assert.ok(
      keys.every((k) => file.flagValues[k] === false),
      'a lost update left a flag on',
    );
    assert.deepEqual(await readdir(dirname(flags.path)), ['flags.json', 'flags.json.changes.jsonl']);
  });

  it('refuses unknown flags and switching non-boolean ones, naming them', async () => {
    await writeFile(flags.path, JSON.stringify({ flagValues: { limit: 100 } }));
    await assert.rejects(
      flags.applyChange(request('nope')),
      (e: unknown) => e instanceof FlagChangeRefused && /"nope" does not exist/.test(e.message),
    );
    await assert.rejects(flags.applyChange(request('limit')), /Flag "limit" is not boolean/);
  });

  it('says which file is broken when it is not JSON', async () => {
    await writeFile(flags.path, '{ not json');
    await assert.rejects(flags.readFlag('x'), new RegExp(`${flags.path} is not valid JSON`));
  });
});
