// Imported first by app/main.ts. With memory to spare, V8 lets a heap grow to several times what it holds
// alive before it collects again; the workflow thread's garbage of 2,000 incidents opened in a few minutes
// then took the process to 720 MB, of which 150 MB was still there at rest. A growing factor of 1.2 keeps
// the peak near 520 MB for about 5 % more CPU (npm run bench:scale). The flag is V8's and process-wide,
// read at each collection, so it reaches the workflow thread that the worker starts later. NODE_OPTIONS or
// node's own arguments naming it take precedence.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

const FLAG = '--heap-growing-percent';
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) =>
  arg.replace(/_/g, '-').startsWith(FLAG),
);
if (!given) setFlagsFromString(`${FLAG}=${HEAP_GROWING_PERCENT}`);
