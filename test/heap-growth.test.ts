// The heap growing factor set at start (app/temporal/heap-growth.ts) reaches a worker thread started later,
// as the SDK's workflow thread is: the same garbage-heavy work peaks lower with it than with V8's own.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { loadServerConfig } from '../app/config.js';
import { applyHeapGrowth } from '../app/temporal/heap-growth.js';

const run = promisify(execFile);
const heapGrowth = new URL('../app/temporal/heap-growth.js', import.meta.url).href;

/** A thread that keeps about 200,000 objects alive while it allocates 1.5 million: its peak heap, MB. */
const CHURN = `
  const live = [];
  let peak = 0;
  for (let i = 0; i < 1_500_000; i++) {
    const o = { a: 'x'.repeat(100) + i, b: new Array(20).fill(i) };
    if (i % 4 === 0) live.push(o);
    if (live.length > 200_000) live.splice(0, 40_000);
    if (i % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
  }
  console.log(Math.round(peak / 2 ** 20));
`;

async function peakMb(percent: number): Promise<number> {
  const script = `
    const { applyHeapGrowth } = await import(${JSON.stringify(heapGrowth)});
    const { Worker } = await import('node:worker_threads');
    applyHeapGrowth(${percent});
    new Worker(${JSON.stringify(CHURN)}, { eval: true });
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return Number(stdout.trim());
}

describe('the heap growing factor', () => {
  it('reaches a worker thread started after it is set: the same work peaks lower than with V8 left alone', async () => {
    const own = await peakMb(0);
    const bounded = await peakMb(20);
    assert.ok(bounded < own * 0.85, `peak ${bounded} MB with 1.2, ${own} MB with V8's own factor`);
  });

  it("leaves node's own --heap-growing-percent alone, and HEAP_GROWING_PERCENT is validated", () => {
    assert.equal(applyHeapGrowth(20, ['--heap-growing-percent=5']), 'node --heap-growing-percent');
    assert.equal(loadServerConfig({}).HEAP_GROWING_PERCENT, undefined);
    assert.equal(loadServerConfig({ HEAP_GROWING_PERCENT: '0' }).HEAP_GROWING_PERCENT, 0);
    assert.throws(() => loadServerConfig({ HEAP_GROWING_PERCENT: 'less' }), /HEAP_GROWING_PERCENT.*whole number/);
    assert.throws(() => loadServerConfig({ HEAP_GROWING_PERCENT: '-1' }), /HEAP_GROWING_PERCENT.*0/);
  });
});
