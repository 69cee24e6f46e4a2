import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { directoryJsonSchema, policyJsonSchema, runbookJsonSchema } from '../runbooks/json-schema.js';

for (const [file, text] of [
  ['schema.json', runbookJsonSchema()],
  ['policy.schema.json', policyJsonSchema()],
  ['directory.schema.json', directoryJsonSchema()],
] as const) {
  const path = fileURLToPath(new URL(`../../runbooks/${file}`, import.meta.url));
  await writeFile(path, text);
  console.log(`Wrote ${path}`);
}
