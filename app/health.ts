import type { Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';

/**
 * Healthy only when Temporal answers and our worker is polling its task queue. A process without a
 * worker (ROLE=api) is healthy when Temporal answers, and reports how many workers poll the queue.
 */
export function createHealthCheck(opts: {
  connection: Connection;
  namespace: string;
  address: string;
  worker?: Worker;
  taskQueue: string;
}) {
  const deadline = () => Date.now() + 2_000;
  return async () => {
    let temporal: { reachable: boolean; error?: string };
    try {
      await opts.connection.withDeadline(deadline(), () => opts.connection.workflowService.getSystemInfo({}));
      temporal = { reachable: true };
    } catch (err) {
      temporal = { reachable: false, error: (err as Error).message };
    }
    const worker = opts.worker
      ? workerReport(opts.worker, opts.taskQueue)
      : await pollersReport(opts, deadline(), temporal.reachable);
    const healthy = temporal.reachable && (!opts.worker || worker.polling === true);
    return {
      healthy,
      report: {
        status: healthy ? 'ok' : 'unavailable',
        temporal: { address: opts.address, namespace: opts.namespace, ...temporal },
        worker,
      },
    };
  };
}

function workerReport(worker: Worker, taskQueue: string) {
  const state = worker.getState();
  return { taskQueue, state, polling: state === 'RUNNING' };
}

/** The workers of other processes that polled the queue lately (Temporal's DescribeTaskQueue). */
async function pollersReport(
  opts: { connection: Connection; namespace: string; taskQueue: string },
  deadline: number,
  reachable: boolean,
) {
  const report = { taskQueue: opts.taskQueue, state: 'in other processes (ROLE=api)' };
  if (!reachable) return { ...report, polling: undefined };
  try {
    const { pollers } = await opts.connection.withDeadline(deadline, () =>
      opts.connection.workflowService.describeTaskQueue({
        namespace: opts.namespace,
        taskQueue: { name: opts.taskQueue },
        taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
      }),
    );
    return { ...report, polling: pollers.length > 0, pollers: pollers.length };
  } catch {
    return { ...report, polling: undefined };
  }
}
