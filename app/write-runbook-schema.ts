import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runbookJsonSchema } from '../runbooks/json-schema.js';

const path = fileURLToPath(new URL('../../runbooks/schema.json', import.meta.url));
await writeFile(path, runbookJsonSchema());
console.log(`Wrote ${path}`);
