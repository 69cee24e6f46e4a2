import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Built by `npm run build` from dist/workflows, so workers never run webpack at start. */
export const defaultWorkflowBundlePath = fileURLToPath(new URL('../../workflow-bundle.js', import.meta.url));
export const workflowsPath = fileURLToPath(new URL('../../workflows/index.js', import.meta.url));

export function requireWorkflowBundle(path = defaultWorkflowBundlePath): string {
  if (!existsSync(path)) throw new Error(`No workflow bundle at ${path}: run \`npm run build\` first`);
  return path;
}
