import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { LocalFileModelRegistry } from '../integrations/model-registry/local-file.js';
import { ModelRollbackRefused } from '../integrations/model-registry/provider.js';
import { tempDir } from './support/paths.js';

let registry: LocalFileModelRegistry;
const request = {
  model: 'assistant-chat',
  alias: 'champion',
  to: 'previous',
  idempotencyKey: 'INC-LM001/rollback',
  comment: 'INC-LM001: roll back',
};

beforeEach(async () => {
  registry = new LocalFileModelRegistry(join(await tempDir('models'), 'models.json'));
  await writeFile(
    registry.path,
    JSON.stringify({ models: { 'assistant-chat': { versions: ['1', '2', '4'], aliases: { champion: '4' } } } }),
  );
});

describe('the local model registry (embedded default)', () => {
  it('moves an alias back once per idempotency key, and remembers the version before', async () => {
    assert.deepEqual(await registry.moveAlias(request), {
      model: 'assistant-chat',
      alias: 'champion',
      previous: '4',
      current: '2',
      changed: true,
      summary: 'Local model assistant-chat: "champion" version 4 → 2',
    });
    const again = await registry.moveAlias(request);
    assert.deepEqual(
      [again.previous, again.current, again.changed],
      ['4', '2', false],
      'a retry does not step back to 1',
    );
    const file = JSON.parse(await readFile(registry.path, 'utf8'));
    assert.equal(
      file.models['assistant-chat'].moves['INC-LM001/rollback'].comment,
      'INC-LM001: roll back',
      'the move is on record',
    );
    assert.equal(
      (await registry.moveAlias({ ...request, to: '2', idempotencyKey: 'other' })).changed,
      false,
      'already serving 2',
    );
  });

  it('refuses, naming what is missing', async () => {
    const refusal = (promise: Promise<unknown>, message: RegExp) =>
      assert.rejects(promise, (err: unknown) => err instanceof ModelRollbackRefused && message.test(err.message));
    await refusal(
      registry.moveAlias({ ...request, model: 'ghost' }),
      /No registered model "ghost" in .*models\.json \(models: assistant-chat\)/,
    );
    await refusal(
      registry.moveAlias({ ...request, alias: 'canary' }),
      /Model "assistant-chat" has no alias "canary" \(aliases: champion\)/,
    );
    await refusal(
      registry.moveAlias({ ...request, to: '3' }),
      /Model "assistant-chat" has no version 3 \(versions: 1, 2, 4\)/,
    );
    await registry.moveAlias({ ...request, to: '1', idempotencyKey: 'to-1' });
    await refusal(
      registry.moveAlias({ ...request, idempotencyKey: 'again' }),
      /Model "assistant-chat" has no version before 1, which "champion" serves/,
    );
  });
});
