import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiJson } from './http/contract.js';

const path = fileURLToPath(new URL('../../openapi.json', import.meta.url));
await writeFile(path, openApiJson());
console.log(`Wrote ${path}`);
