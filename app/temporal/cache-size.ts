// How many incident workflows the worker keeps in memory when WORKFLOW_CACHE_SIZE does not say: as many
// as half the memory this process may use holds after its baseline, at most DEFAULT_CACHE_SIZE (the
// figure measured within the RSS budget, README "Measured"). The memory is the container's limit
// (cgroup v2 memory.max, or v1 memory.limit_in_bytes) when there is one, else the machine's.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_CACHE_SIZE = 300;
export const MIN_CACHE_SIZE = 16;
const MIB = 1024 * 1024;
/**
 * The product with 2,000 open incidents and none of them cached: API, worker, SDK core, the KPI
 * projection (287 MB measured: 424 MB at rest with 300 cached, less 300 × 0.45 MB).
 */
const BASELINE_BYTES = 300 * MIB;
/**
 * One cached incident workflow, with the heap growing factor at 1.2 (heap-growth.ts): a cache of 2,000
 * held 1,197 MB at rest with 2,000 open, 300 held 424 MB, so 0.45 MB each, rounded up.
 */
const BYTES_PER_WORKFLOW = 0.5 * MIB;
const SHARE = 0.5;

/** The memory this process may use: the cgroup's limit when it sets one below the machine's, else the machine's. */
export function memoryAvailable(cgroupRoot = '/sys/fs/cgroup', machine = totalmem()): number {
  for (const file of ['memory.max', 'memory/memory.limit_in_bytes']) {
    let text: string;
    try {
      text = readFileSync(join(cgroupRoot, file), 'utf8').trim();
    } catch {
      continue;
    }
    const limit = Number(text);
    if (/^\d+$/.test(text) && limit > 0 && limit < machine) return limit; // 'max', or v1's "no limit" near 2^63
  }
  return machine;
}

export function cacheSizeFor(memoryBytes: number): number {
  const fits = Math.floor((memoryBytes * SHARE - BASELINE_BYTES) / BYTES_PER_WORKFLOW);
  return Math.max(MIN_CACHE_SIZE, Math.min(DEFAULT_CACHE_SIZE, fits));
}
