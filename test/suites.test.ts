import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TEST_SUITES } from './support/suites.js';
import { repoRoot } from './support/paths.js';

describe('test suites', () => {
  it('put every test file in exactly one suite, and name no file that does not exist', async () => {
    const files = (await readdir(join(repoRoot, 'test')))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -'.test.ts'.length));
    const listed = Object.entries(TEST_SUITES).flatMap(([suite, names]) => names.map((name) => ({ suite, name })));
    for (const file of files) {
      const suites = listed.filter((l) => l.name === file).map((l) => l.suite);
      assert.equal(
        suites.length,
        1,
        `test/${file}.test.ts is in ${suites.length ? `several suites (${suites.join(', ')})` : 'no suite: add it to test/support/suites.ts'}`,
      );
    }
    assert.deepEqual(
      listed.filter((l) => !files.includes(l.name)),
      [],
      'suites name test files that do not exist',
    );
  });
});
