import { z } from 'zod';
import { directorySchema } from './directory.js';
import { policySchema } from './policy.js';
import { runbookSchema } from './schema.js';

function editorSchema(schema: z.ZodType, title: string): string {
  return JSON.stringify({ ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), title }, null, 2) + '\n';
}

/** The runbook schema for editors (runbooks/schema.json); `npm run runbooks:schema` writes it. */
export function runbookJsonSchema(): string {
  return editorSchema(runbookSchema, 'Incident runbook');
}

/** The schema of runbooks/directory.yaml (runbooks/directory.schema.json). */
export function directoryJsonSchema(): string {
  return editorSchema(directorySchema, 'People directory: one identity per person in every entry point');
}

/** The schema of runbooks/policy.yaml (runbooks/policy.schema.json), written with the runbook schema. */
export function policyJsonSchema(): string {
  return editorSchema(policySchema, 'Incident policy: who may do what');
}
