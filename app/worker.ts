import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from '../activities/index.js';
import { cacheSizeFor, memoryAvailable } from './temporal/cache-size.js';
import { requireWorkflowBundle } from './temporal/workflow-bundle.js';

export interface IncidentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: ActivityDependencies;
  bundlePath?: string;
  /** Workflows kept in memory (WORKFLOW_CACHE_SIZE); by default sized from the memory available (temporal/cache-size.ts). */
  cacheSize?: number;
}

/**
 * The cache is bounded because the SDK's default grows with the heap limit (about 2,300 workflows on
 * Node 20's 4 GiB), which let RSS reach 1.2 GB with 1,000 open incidents. One evicted replays its
 * history when it next runs, and continue-as-new keeps that history short.
 */
export function createIncidentWorker(options: IncidentWorkerOptions): Promise<Worker> {
  const cacheSize = options.cacheSize ?? cacheSizeFor(memoryAvailable());
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: { codePath: requireWorkflowBundle(options.bundlePath) },
    activities: createActivities(options.dependencies),
    maxCachedWorkflows: cacheSize,
    // More workflow tasks at once than cached workflows would evict what is running.
    maxConcurrentWorkflowTaskExecutions: Math.min(40, cacheSize),
  });
}
