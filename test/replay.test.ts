import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import { requireWorkflowBundle } from '../app/temporal/workflow-bundle.js';
import { fixturesDir } from './support/paths.js';

installTemporalRuntime('WARN');

const dir = join(fixturesDir, 'histories');
const jsonIn = async (sub: string) =>
  (await readdir(join(dir, sub))).filter((f) => f.endsWith('.json')).map((f) => join(sub, f));
// patched/: the same scenarios as recorded by the last build that still had the patched() branches
// (59d965a), whose markers the deprecatePatch() calls now accept: incidents it started keep running.
const files = [...(await jsonIn('.')), ...(await jsonIn('patched'))];

// Stored histories are the contract with incidents already running: today's workflow code must
// replay them without a DeterminismViolationError. See test/support/record-history.ts.
describe('replaying stored incident histories', () => {
  it('has at least one stored history', () => assert.ok(files.length > 0));

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const { workflowId, history: json } = JSON.parse(await readFile(join(dir, file), 'utf8'));
      const history = historyFromJSON(json);
      const kinds = new Set((history.events ?? []).map((e) => e.eventType));
      assert.ok(kinds.size > 5, 'the stored history is too small to protect anything');
      await Worker.runReplayHistory({ workflowBundle: { codePath: requireWorkflowBundle() } }, history, workflowId);
    });
  }
});
