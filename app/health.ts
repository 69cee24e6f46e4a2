import type { Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';

/** Healthy only when Temporal answers and our worker is polling its task queue. */
export function createHealthCheck(opts: {
  connection: Connection;
  namespace: string;
  address: string;
  worker: Worker;
  taskQueue: string;
}) {
  return async () => {
    let temporal: { reachable: boolean; error?: string };
    try {
      await opts.connection.withDeadline(Date.now() + 2_000, () => opts.connection.workflowService.getSystemInfo({}));
      temporal = { reachable: true };
    } catch (err) {
      temporal = { reachable: false, error: (err as Error).message };
    }
    const workerState = opts.worker.getState();
    const healthy = temporal.reachable && workerState === 'RUNNING';
    return {
      healthy,
      report: {
        status: healthy ? 'ok' : 'unavailable',
        temporal: { address: opts.address, namespace: opts.namespace, ...temporal },
        worker: { taskQueue: opts.taskQueue, state: workerState, polling: workerState === 'RUNNING' },
      },
    };
  };
}
