import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createModelActivities } from '../activities/models.js';
import { MlflowModelRegistry } from '../integrations/model-registry/mlflow.js';
import { ModelRollbackRefused, moveTagKey } from '../integrations/model-registry/provider.js';
import { mlflowBinary, mlflowInstalled, startMlflowServer, type MlflowServer } from './support/mlflow-server.js';

let mlflow: MlflowServer;
let registry: MlflowModelRegistry;

const skip = mlflowInstalled
  ? false
  : `MLflow is not installed at ${mlflowBinary}: run \`npm run setup:mlflow\` (CI does)`;

describe('MLflow Model Registry (a real MLflow server from PyPI, SQLite backend)', { skip }, () => {
  before(async () => {
    mlflow = await startMlflowServer();
    registry = new MlflowModelRegistry({ trackingUri: mlflow.url });
    await mlflow.api('POST', 'registered-models/create', { name: 'assistant-chat' });
    for (let v = 1; v <= 4; v++)
      await mlflow.api('POST', 'model-versions/create', {
        name: 'assistant-chat',
        source: `s3://acme-models/assistant-chat/${v}`,
      });
    await mlflow.api('DELETE', 'model-versions/delete', { name: 'assistant-chat', version: '3' }); // a version withdrawn after release
    await mlflow.api('POST', 'registered-models/alias', { name: 'assistant-chat', alias: 'champion', version: '4' });
    await mlflow.api('POST', 'registered-models/alias', { name: 'assistant-chat', alias: 'challenger', version: '4' });
  });
  after(() => mlflow?.stop());

  const champion = async () =>
    (await mlflow.api('GET', 'registered-models/alias?name=assistant-chat&alias=champion')).model_version.version;
  const request = {
    model: 'assistant-chat',
    alias: 'champion',
    to: 'previous',
    idempotencyKey: 'INC-ML001/rollback-model',
    comment: 'INC-ML001: Roll back (approved by alice)',
  };

  it('moves the alias to the previous version that still exists, and records the move on the model', async () => {
    const moved = await registry.moveAlias(request);
    assert.deepEqual(moved, {
      model: 'assistant-chat',
      alias: 'champion',
      previous: '4',
      current: '2',
      changed: true,
      summary: 'MLflow model assistant-chat: "champion" version 4 → 2',
    });
    assert.equal(await champion(), '2', 'version 3 was deleted, so "previous" is 2');
    assert.equal(
      (await mlflow.api('GET', 'registered-models/alias?name=assistant-chat&alias=challenger')).model_version.version,
      '4',
      'other aliases stay',
    );
    assert.deepEqual(await registry.readAlias('assistant-chat', 'champion'), {
      model: 'assistant-chat',
      alias: 'champion',
      version: '2',
      observedVia: `MLflow at ${mlflow.url}`,
    });
    const { registered_model } = await mlflow.api('GET', 'registered-models/get?name=assistant-chat');
    const tag = registered_model.tags.find((t: { key: string }) => t.key === moveTagKey(request.idempotencyKey));
    assert.deepEqual(JSON.parse(tag.value), {
      alias: 'champion',
      previous: '4',
      target: '2',
      comment: request.comment,
    });
  });

  it('a retry with the same key does not step back again, and still knows the version to undo to', async () => {
    const again = await registry.moveAlias(request);
    assert.deepEqual([again.previous, again.current, again.changed], ['4', '2', false]);
    assert.equal(await champion(), '2');
  });

  it('finishes a move whose alias change was lost in a crash after the tag was written', async () => {
    const key = 'INC-ML002/rollback-model';
    await mlflow.api('POST', 'registered-models/set-tag', {
      name: 'assistant-chat',
      key: moveTagKey(key),
      value: JSON.stringify({ alias: 'champion', previous: '2', target: '1', comment: 'c' }),
    });
    const finished = await registry.moveAlias({ ...request, idempotencyKey: key });
    assert.deepEqual([finished.previous, finished.current, finished.changed], ['2', '1', true]);
    assert.equal(await champion(), '1');
  });

  it('moves to a named version (the undo), and refuses what cannot work without retrying', async () => {
    assert.equal(
      (await registry.moveAlias({ ...request, to: '4', idempotencyKey: 'INC-ML001/undo-rollback-model' })).current,
      '4',
    );
    assert.equal(await champion(), '4');
    const { moveModelAlias, readModelAlias } = createModelActivities(registry);
    const refused = async (promise: Promise<unknown>, message: RegExp) =>
      assert.rejects(promise, (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure && err.nonRetryable, `non-retryable: ${String(err)}`);
        assert.equal(err.type, 'ModelRollbackRefused');
        assert.match(err.message, message);
        return true;
      });
    await refused(
      moveModelAlias({ ...request, to: '3', idempotencyKey: 'k3' }),
      /Model "assistant-chat" has no version 3 \(versions: 4, 2, 1\)/,
    );
    await refused(
      moveModelAlias({ ...request, model: 'ghost', idempotencyKey: 'k4' }),
      /MLflow GET registered-models\/alias: 404 RESOURCE_DOES_NOT_EXIST|MLflow GET registered-models\/alias: 400 INVALID_PARAMETER_VALUE/,
    );
    await refused(
      readModelAlias({ model: 'assistant-chat', alias: 'nope' }),
      /400 INVALID_PARAMETER_VALUE Registered model alias nope not found/,
    );
    await assert.rejects(
      registry.moveAlias({ ...request, alias: 'challenger', to: '9', idempotencyKey: 'k5' }),
      ModelRollbackRefused,
    );
  });
});
