import { z } from 'zod';
import { runbookSchema } from './schema.js';

/** The runbook schema for editors (runbooks/schema.json); `npm run runbooks:schema` writes it. */
export function runbookJsonSchema(): string {
  const schema = z.toJSONSchema(runbookSchema, { io: 'input', unrepresentable: 'any' });
  return JSON.stringify({ ...schema, title: 'Incident runbook' }, null, 2) + '\n';
}
