// A worker process that runs workflow tasks only (no activities), for tests that SIGKILL a worker at the
// moment a workflow has scheduled an activity no one has run yet. Usage: node workflow-only-worker.js ADDRESS NAMESPACE TASK_QUEUE
import { NativeConnection, Worker } from '@temporalio/worker';
import { installTemporalRuntime } from '../../app/temporal/runtime.js';
import { requireWorkflowBundle } from '../../app/temporal/workflow-bundle.js';

const [address, namespace, taskQueue] = process.argv.slice(2);
if (!address || !namespace || !taskQueue) throw new Error('usage: workflow-only-worker ADDRESS NAMESPACE TASK_QUEUE');
installTemporalRuntime('ERROR');
const connection = await NativeConnection.connect({ address });
// No sticky cache: the tasks that follow the kill must go to the next worker, not wait on this one's queue.
const worker = await Worker.create({
  connection,
  namespace,
  taskQueue,
  workflowBundle: { codePath: requireWorkflowBundle() },
  maxCachedWorkflows: 0,
});
process.stdout.write('ready\n');
await worker.run();
