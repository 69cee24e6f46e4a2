import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { defaultWorkflowBundlePath, workflowsPath } from './workflow-bundle.js';

const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger() });
await writeFile(defaultWorkflowBundlePath, code);
console.log(`Workflow bundle: ${defaultWorkflowBundlePath} (${(code.length / 1024).toFixed(0)} KiB)`);

function quietLogger() {
  const ignore = () => undefined;
  return { trace: ignore, debug: ignore, info: ignore, warn: console.warn, error: console.error, log: ignore };
}
