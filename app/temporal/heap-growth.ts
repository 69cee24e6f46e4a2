// With memory to spare, V8 lets a heap grow to several times what it holds alive before it collects again:
// 2,000 incidents opened at once took the product to 910 MB, most of it the workflow thread's garbage. A
// growing factor of 1.2 kept the peak at 557 MB, in the same time (npm run bench:scale 2000). The flag is V8's and
// process-wide, read at each collection, so set here it reaches the workflow thread the worker starts
// later. node's own `--heap-growing-percent` (it is not allowed in NODE_OPTIONS) takes precedence.
import { setFlagsFromString } from 'node:v8';

export const DEFAULT_HEAP_GROWING_PERCENT = 20;
const FLAG = '--heap-growing-percent';

/** Sets the growing factor to 1 + percent/100 (0: V8's own, up to 4×); where it came from, for the log. */
export function applyHeapGrowth(percent: number | undefined, execArgv = process.execArgv): string {
  if (execArgv.some((arg) => arg.replace(/_/g, '-').startsWith(FLAG))) return `node ${FLAG}`;
  const value = percent ?? DEFAULT_HEAP_GROWING_PERCENT;
  setFlagsFromString(`${FLAG}=${value}`);
  return `${value} % (${percent === undefined ? 'default' : 'HEAP_GROWING_PERCENT'})`;
}
