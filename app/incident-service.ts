import { basename } from 'node:path';
import { Client, ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { FailureType } from '../workflows/failures.js';
import { incidentWorkflow } from '../workflows/incident.js';
import {
  approvalRefusedSignal,
  approveStepUpdate,
  assignCommanderUpdate,
  completeTriageUpdate,
  getStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
} from '../workflows/messages.js';
import type { Category, ContainmentStep, DeclareInput, IncidentState, Severity } from '../workflows/model.js';
import { IncidentCategory, IncidentCommander, IncidentSeverity, IncidentStatus } from '../workflows/search-attributes.js';
import type { RunbookSource } from '../runbooks/source.js';
import { newIncidentId } from './incident-id.js';

export type IncidentErrorKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'unavailable';

export class IncidentError extends Error {
  override name = 'IncidentError';
  constructor(
    readonly kind: IncidentErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface DeclareRequest {
  title: string;
  category: Category;
  severity: Severity;
  description?: string;
  commander?: string;
  declaredBy?: string;
  runbookId?: string;
}

export interface IncidentSummary {
  id: string;
  title: string;
  severity?: string;
  status?: string;
  category?: string;
  commander?: string;
  declaredAt: string;
  open: boolean;
}

export interface DecisionRequest {
  stepId: string;
  decision: 'approve' | 'reject';
  actor: string;
  reason?: string;
}

// gRPC status codes (grpc/status.proto); @grpc/grpc-js is not our dependency.
const grpcStatus = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, UNAVAILABLE: 14 } as const;

const FAILURE_KINDS: Record<string, IncidentErrorKind> = {
  [FailureType.notAuthorized]: 'forbidden',
  [FailureType.notFound]: 'not-found',
  [FailureType.conflict]: 'conflict',
  [FailureType.invalid]: 'invalid',
};

/** What every entry point (HTTP API, CLI through it, Slack later) does to incidents, in one place. */
export class IncidentService {
  constructor(
    private readonly client: Client,
    private readonly options: { taskQueue: string; runbooks: RunbookSource },
  ) {}

  async declare(request: DeclareRequest): Promise<{ id: string }> {
    const commander = request.commander ?? request.declaredBy;
    if (!commander) throw new IncidentError('invalid', 'commander or declaredBy is required');
    if (request.runbookId) {
      const known = (await this.options.runbooks.current()).runbooks.map((r) => r.runbook.id);
      if (!known.includes(request.runbookId)) {
        throw new IncidentError('invalid', `No runbook "${request.runbookId}" (known: ${known.join(', ')})`);
      }
    }
    for (let attempt = 0; ; attempt++) {
      const input: DeclareInput = {
        id: newIncidentId(),
        title: request.title,
        category: request.category,
        severity: request.severity,
        description: request.description ?? '',
        commander,
        declaredBy: request.declaredBy ?? commander,
        ...(request.runbookId ? { runbookId: request.runbookId } : {}),
      };
      try {
        await this.client.workflow.start(incidentWorkflow, {
          workflowId: input.id,
          taskQueue: this.options.taskQueue,
          args: [input],
          // An id names one incident forever, even after it closed.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          // Set at start too, so a list taken a moment after the declaration already shows them.
          memo: { title: input.title },
          typedSearchAttributes: [
            { key: IncidentSeverity, value: input.severity },
            { key: IncidentStatus, value: 'declared' },
            { key: IncidentCategory, value: input.category },
            { key: IncidentCommander, value: input.commander },
          ],
        });
        await this.untilTriaging(input.id);
        return { id: input.id };
      } catch (err) {
        // 32^5 ids: a clash is rare, and a fresh id settles it.
        if (err instanceof WorkflowExecutionAlreadyStartedError && attempt < 5) continue;
        throw translate(err, input.id);
      }
    }
  }

  async runbooks() {
    return (await this.options.runbooks.current()).runbooks.map(({ runbook, file, hash }) => ({
      id: runbook.id,
      title: runbook.title,
      categories: runbook.match.categories,
      fallback: runbook.fallback,
      steps: runbook.containment.map((s) => ({ id: s.id, kind: s.kind, title: s.title })),
      file: basename(file),
      hash,
    }));
  }

  completeTriage(id: string, itemId: string, actor: string, note?: string): Promise<IncidentState> {
    return this.update(id, () =>
      this.client.workflow.getHandle(id).executeUpdate(completeTriageUpdate, { args: [{ itemId, actor, ...(note ? { note } : {}) }] }),
    );
  }

  /** A new incident loads its runbook first; answer the declarer once its steps exist, if that is quick. */
  private async untilTriaging(id: string, timeoutMs = 10_000): Promise<void> {
    const handle = this.client.workflow.getHandle(id);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await handle.query(getStateQuery)).status !== 'declared') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async list({ includeClosed = false } = {}): Promise<IncidentSummary[]> {
    const query = `WorkflowType = '${incidentWorkflow.name}'${includeClosed ? '' : " AND ExecutionStatus = 'Running'"}`;
    const incidents: IncidentSummary[] = [];
    try {
      for await (const info of this.client.workflow.list({ query })) {
        const attributes = info.typedSearchAttributes;
        incidents.push({
          id: info.workflowId,
          title: String(info.memo?.title ?? ''),
          severity: attributes.get(IncidentSeverity),
          status: attributes.get(IncidentStatus),
          category: attributes.get(IncidentCategory),
          commander: attributes.get(IncidentCommander),
          declaredAt: info.startTime.toISOString(),
          open: info.status.name === 'RUNNING',
        });
      }
    } catch (err) {
      throw translate(err);
    }
    return incidents.sort((a, b) => b.declaredAt.localeCompare(a.declaredAt));
  }

  async get(id: string): Promise<IncidentState> {
    try {
      return await this.client.workflow.getHandle(id).query(getStateQuery);
    } catch (err) {
      throw translate(err, id);
    }
  }

  /** Approve or reject a containment step; a refused actor is told why and the refusal is recorded. */
  async decide(id: string, request: DecisionRequest): Promise<ContainmentStep> {
    const handle = this.client.workflow.getHandle(id);
    const update = request.decision === 'approve' ? approveStepUpdate : rejectStepUpdate;
    try {
      return await handle.executeUpdate(update, {
        args: [{ stepId: request.stepId, actor: request.actor, ...(request.reason ? { reason: request.reason } : {}) }],
      });
    } catch (err) {
      const error = translate(err, id);
      if (error.kind === 'forbidden') {
        await handle
          .signal(approvalRefusedSignal, { stepId: request.stepId, actor: request.actor, decision: request.decision, reason: error.message })
          .catch(() => undefined); // the caller is refused either way; losing the record must not turn it into a 500
      }
      throw error;
    }
  }

  resolve(id: string, actor: string, summary: string): Promise<IncidentState> {
    return this.update(id, () => this.client.workflow.getHandle(id).executeUpdate(resolveUpdate, { args: [{ actor, summary }] }));
  }

  setSeverity(id: string, actor: string, severity: Severity): Promise<IncidentState> {
    return this.update(id, () => this.client.workflow.getHandle(id).executeUpdate(setSeverityUpdate, { args: [{ actor, severity }] }));
  }

  assignCommander(id: string, actor: string, commander: string): Promise<IncidentState> {
    return this.update(id, () =>
      this.client.workflow.getHandle(id).executeUpdate(assignCommanderUpdate, { args: [{ actor, commander }] }),
    );
  }

  private async update<T>(id: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw translate(err, id);
    }
  }
}

function translate(err: unknown, id?: string): IncidentError {
  if (err instanceof IncidentError) return err;
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    return new IncidentError(FAILURE_KINDS[err.cause.type ?? ''] ?? 'conflict', err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) {
    // Updates to a finished workflow arrive as "not found" too.
    return /completed|closed/i.test(err.message)
      ? new IncidentError('conflict', `${id} is resolved and closed`)
      : new IncidentError('not-found', `No incident ${id}`);
  }
  if (err instanceof ServiceError) {
    const code = (err.cause as { code?: number } | undefined)?.code;
    if (code === grpcStatus.NOT_FOUND) {
      return /completed|closed/i.test(err.message)
        ? new IncidentError('conflict', `${id} is resolved and closed`)
        : new IncidentError('not-found', `No incident ${id}`);
    }
    if (code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED) {
      return new IncidentError('unavailable', `Temporal is unavailable: ${err.message}`);
    }
  }
  throw err;
}
