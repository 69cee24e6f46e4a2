// Hands alerts to their intake workflow with one signal-with-start per shard in flight: requests that
// arrive while it is out ride the next one together. Each request still learns whether Temporal accepted
// its own alerts (the webhook answers 202 or 503 on that), but an alert storm costs Temporal a signal per
// batch, not per request. On Lambda, one invocation at a time, every batch is one request.
import type { Client } from '@temporalio/client';
import { alertBatchSignal, alertIntakeWorkflow, type GroupAlerts } from '../../workflows/alert-intake.js';

/** Temporal refuses payloads over 2 MB; a batch stops growing at this much JSON (a single request may exceed it, alone). */
const MAX_BATCH_BYTES = 512 * 1024;

interface Waiting {
  groups: GroupAlerts[];
  bytes: number;
  deadline: number;
  accepted: () => void;
  refused: (err: unknown) => void;
}

export class IntakeBatcher {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly sending = new Set<string>();

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Resolves once Temporal has accepted a signal carrying `groups` to `workflowId`; rejects if it did not by `deadline` (epoch ms). */
  submit(workflowId: string, groups: GroupAlerts[], deadline: number): Promise<void> {
    return new Promise((accepted, refused) => {
      const queue = this.queues.get(workflowId) ?? [];
      queue.push({ groups, bytes: JSON.stringify(groups).length, deadline, accepted, refused });
      this.queues.set(workflowId, queue);
      if (!this.sending.has(workflowId)) void this.send(workflowId);
    });
  }

  private async send(workflowId: string): Promise<void> {
    this.sending.add(workflowId);
    try {
      for (let queue = this.queues.get(workflowId); queue?.length; queue = this.queues.get(workflowId)) {
        const batch = takeBatch(queue);
        if (!queue.length) this.queues.delete(workflowId);
        try {
          await this.client.connection.withDeadline(Math.min(...batch.map((w) => w.deadline)), () =>
            this.client.workflow.signalWithStart(alertIntakeWorkflow, {
              workflowId,
              taskQueue: this.taskQueue,
              args: [{ shard: workflowId }],
              signal: alertBatchSignal,
              signalArgs: [{ groups: batch.flatMap((w) => w.groups) }],
            }),
          );
          for (const w of batch) w.accepted();
        } catch (err) {
          for (const w of batch) w.refused(err);
        }
      }
    } finally {
      this.sending.delete(workflowId);
    }
  }
}

/** The oldest waiting requests, as many as fit MAX_BATCH_BYTES (at least one). */
function takeBatch(queue: Waiting[]): Waiting[] {
  let bytes = queue[0]!.bytes;
  let n = 1;
  while (n < queue.length && bytes + queue[n]!.bytes <= MAX_BATCH_BYTES) bytes += queue[n++]!.bytes;
  return queue.splice(0, n);
}
