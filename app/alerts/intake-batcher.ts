// Hands alerts to their intake workflow with one signal-with-start per shard in flight: requests that
// arrive while it is out ride the next one together. Each request still learns whether Temporal accepted
// its own alerts (the webhook answers 202 or 503 on that), but an alert storm costs Temporal a signal per
// batch, not per request. On Lambda, one invocation at a time, every batch is one request.
import type { Client } from '@temporalio/client';
import { alertIntakeWorkflow } from '../../workflows/alert-intake.js';
import { alertBatchSignal, type GroupAlerts } from '../../workflows/messages.js';

/** Temporal refuses payloads over 2 MB; a batch stops growing at this much JSON (a single request may exceed it, alone). */
const MAX_BATCH_BYTES = 512 * 1024;

interface Waiting {
  groups: GroupAlerts[];
  bytes: number;
  deadline: number;
  accepted: () => void;
  refused: (err: unknown) => void;
  /** Refuses the request at its deadline if it is still waiting for its turn. */
  expiry: NodeJS.Timeout;
}

export class IntakeDeadlineExceeded extends Error {
  constructor() {
    super('Temporal was still busy with earlier alerts of this intake at the deadline');
    this.name = 'IntakeDeadlineExceeded';
  }
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
      const waiting: Waiting = {
        groups,
        bytes: JSON.stringify(groups).length,
        deadline,
        accepted,
        refused,
        expiry: setTimeout(
          () => {
            const current = this.queues.get(workflowId);
            const at = current?.indexOf(waiting) ?? -1;
            if (at < 0) return; // already on its way
            current!.splice(at, 1);
            refused(new IntakeDeadlineExceeded());
          },
          Math.max(0, deadline - Date.now()),
        ),
      };
      queue.push(waiting);
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
        for (const w of batch) clearTimeout(w.expiry);
        try {
          // The latest deadline: one request that waited long must not cut short the others' time.
          await this.client.connection.withDeadline(Math.max(...batch.map((w) => w.deadline)), () =>
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
