import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadServerConfig } from '../app/config.js';
import { cacheSizeFor, DEFAULT_CACHE_SIZE, memoryAvailable, MIN_CACHE_SIZE } from '../app/temporal/cache-size.js';

const GIB = 1024 ** 3;

function cgroup(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cgroup-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

describe('the workflow cache sized from memory', () => {
  it('keeps the measured default on a machine with room, fewer in a small container, never under the minimum', () => {
    assert.equal(cacheSizeFor(24 * GIB), DEFAULT_CACHE_SIZE);
    assert.equal(cacheSizeFor(1 * GIB), DEFAULT_CACHE_SIZE);
    const small = cacheSizeFor(0.75 * GIB);
    assert.ok(small > MIN_CACHE_SIZE && small < DEFAULT_CACHE_SIZE, `${small} for 768 MiB`);
    assert.ok(cacheSizeFor(0.7 * GIB) < small, 'less memory, fewer workflows');
    assert.equal(cacheSizeFor(512 * 1024 ** 2), MIN_CACHE_SIZE);
  });

  it("reads the container's limit (cgroup v2, then v1) when it is below the machine's", () => {
    assert.equal(memoryAvailable(cgroup({ 'memory.max': '1073741824\n' }), 24 * GIB), GIB);
    assert.equal(memoryAvailable(cgroup({ 'memory/memory.limit_in_bytes': '536870912\n' }), 24 * GIB), GIB / 2);
  });

  it("takes the machine's memory when no limit is set, or the limit is above it", () => {
    assert.equal(memoryAvailable(cgroup({ 'memory.max': 'max\n' }), 8 * GIB), 8 * GIB);
    assert.equal(
      memoryAvailable(cgroup({ 'memory/memory.limit_in_bytes': '9223372036854771712\n' }), 8 * GIB),
      8 * GIB,
      "cgroup v1's 'no limit'",
    );
    assert.equal(memoryAvailable(cgroup({}), 8 * GIB), 8 * GIB);
  });

  it('is overridden by WORKFLOW_CACHE_SIZE, which is validated', () => {
    assert.equal(loadServerConfig({}).WORKFLOW_CACHE_SIZE, undefined);
    assert.equal(loadServerConfig({ WORKFLOW_CACHE_SIZE: '40' }).WORKFLOW_CACHE_SIZE, 40);
    assert.throws(() => loadServerConfig({ WORKFLOW_CACHE_SIZE: 'lots' }), /WORKFLOW_CACHE_SIZE.*whole number/);
    assert.throws(() => loadServerConfig({ WORKFLOW_CACHE_SIZE: '1' }), /WORKFLOW_CACHE_SIZE.*at least 2/);
  });
});
