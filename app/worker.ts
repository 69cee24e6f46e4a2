import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/index.js';
import { requireWorkflowBundle } from './temporal/workflow-bundle.js';

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  bundlePath?: string;
  /** Workflows kept in memory (WORKFLOW_CACHE_SIZE); see DEFAULT_CACHE_SIZE. */
  cacheSize?: number;
}

/**
 * The SDK's default cache grows with the heap limit (about 2,300 workflows on Node 20's 4 GiB), which
 * let RSS reach 1.2 GB with 1,000 open incidents. An incident in the cache costs about 0.5–1 MB; one
 * evicted replays its history when it next runs, and continue-as-new keeps that history short.
 */
export const DEFAULT_CACHE_SIZE = 300;

export function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: { codePath: requireWorkflowBundle(options.bundlePath) },
    activities: createActivities(options.dependencies),
    maxCachedWorkflows: options.cacheSize ?? DEFAULT_CACHE_SIZE,
    // More workflow tasks at once than cached workflows would evict what is running.
    maxConcurrentWorkflowTaskExecutions: Math.min(40, options.cacheSize ?? DEFAULT_CACHE_SIZE),
  });
}
