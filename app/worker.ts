import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/index.js';
import { requireWorkflowBundle } from './temporal/workflow-bundle.js';

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  bundlePath?: string;
}

export function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: { codePath: requireWorkflowBundle(options.bundlePath) },
    activities: createActivities(options.dependencies),
  });
}
