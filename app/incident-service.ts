import { basename } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, type UpdateDefinition } from '@temporalio/common';
import { FailureType } from '../workflows/failures.js';
import { incidentWorkflow } from '../workflows/incident/workflow.js';
import {
  acknowledgeUpdate,
  addActionUpdate,
  approvalRefusedSignal,
  approveStepUpdate,
  assignCommanderUpdate,
  completePostmortemUpdate,
  completeTriageUpdate,
  getStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
  ticketClosedSignal,
  waiveActionUpdate,
} from '../workflows/messages.js';
import type { AddActionInput, RefusalInput } from '../workflows/messages.js';
import type { Category, ContainmentStep, CorrectiveAction, DeclareInput, IncidentState, Severity } from '../workflows/types.js';
import type { TicketProvider } from '../integrations/ticketing/provider.js';
import { IncidentCategory, IncidentCommander, IncidentSeverity, IncidentStatus, incidentStartOptions } from '../workflows/search-attributes.js';
import type { RunbookSource } from '../runbooks/source.js';
import { IncidentError, translate } from './incident-error.js';
import { incidentIdForKey, newIncidentId } from './incident-id.js';

export interface DeclareRequest {
  title: string;
  category: Category;
  severity: Severity;
  description?: string;
  commander?: string;
  declaredBy?: string;
  runbookId?: string;
  detectedAt?: string;
  service?: string;
  fingerprint?: string;
  /**
   * The same key declares once: a resubmitted Slack modal (Slack retries, or a person clicks again
   * after a timeout) finds the incident the first submission started.
   */
  idempotencyKey?: string;
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
  /** Approver groups an authenticated entry point vouches for (Slack user groups); never from the HTTP API. */
  memberOf?: string[];
}

/** What every entry point (HTTP API, CLI through it, Slack) does to incidents, in one place. */
export class IncidentService {
  constructor(
    private readonly client: Client,
    private readonly options: { taskQueue: string; runbooks: RunbookSource; tickets?: TicketProvider },
  ) {}

  async declare(request: DeclareRequest): Promise<{ id: string }> {
    const commander = request.commander ?? request.declaredBy;
    if (!commander) throw new IncidentError(FailureType.invalid, 'commander or declaredBy is required');
    if (request.runbookId) {
      const known = (await this.options.runbooks.current()).runbooks.map((r) => r.runbook.id);
      if (!known.includes(request.runbookId)) {
        throw new IncidentError(FailureType.invalid, `No runbook "${request.runbookId}" (known: ${known.join(', ')})`);
      }
    }
    for (let attempt = 0; ; attempt++) {
      const keyed = attempt === 0 && request.idempotencyKey !== undefined;
      const input: DeclareInput = {
        id: keyed ? incidentIdForKey(request.idempotencyKey!) : newIncidentId(),
        title: request.title,
        category: request.category,
        severity: request.severity,
        description: request.description ?? '',
        commander,
        declaredBy: request.declaredBy ?? commander,
        ...(request.runbookId ? { runbookId: request.runbookId } : {}),
        ...(request.detectedAt ? { detectedAt: request.detectedAt } : {}),
        ...(request.service ? { service: request.service } : {}),
        ...(request.fingerprint ? { fingerprint: request.fingerprint } : {}),
      };
      try {
        await this.client.workflow.start(incidentWorkflow, { ...incidentStartOptions(input), taskQueue: this.options.taskQueue, args: [input] });
        await this.untilTriaging(input.id);
        return { id: input.id };
      } catch (err) {
        if (keyed && err instanceof WorkflowExecutionAlreadyStartedError && (await this.sameDeclaration(input))) return { id: input.id };
        // 32^5 ids: a clash is rare, and a fresh id settles it.
        if (err instanceof WorkflowExecutionAlreadyStartedError && attempt < 5) continue;
        throw translate(err, input.id);
      }
    }
  }

  /** Whether the incident with this id is this declaration made before (not another that drew the same id). */
  private async sameDeclaration(input: DeclareInput): Promise<boolean> {
    const existing = await this.client.workflow
      .getHandle(input.id)
      .query(getStateQuery)
      .catch(() => undefined);
    return existing !== undefined && existing.title === input.title && existing.declaredBy === input.declaredBy && existing.category === input.category;
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
    return this.runUpdate(id, completeTriageUpdate, { itemId, actor, ...(note ? { note } : {}) });
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
    // Open means not closed: a workflow also runs on through its undo window after the incident closed.
    const query = `WorkflowType = '${incidentWorkflow.name}'${includeClosed ? '' : ` AND ${IncidentStatus.name} != 'closed'`}`;
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
          open: attributes.get(IncidentStatus) !== 'closed' && info.status.name === 'RUNNING',
        });
      }
    } catch (err) {
      throw translate(err);
    }
    return incidents.sort((a, b) => b.declaredAt.localeCompare(a.declaredAt));
  }

  /**
   * Every incident declared since `since`, open or closed (within the namespace's retention), with its
   * state. One that cannot be read (its query fails) is named in `unreadable` instead of failing the lot.
   */
  async declaredSince(since: Date): Promise<{ incidents: IncidentState[]; unreadable: string[] }> {
    const query = `WorkflowType = '${incidentWorkflow.name}' AND StartTime >= '${since.toISOString()}'`;
    const ids: string[] = [];
    try {
      for await (const info of this.client.workflow.list({ query })) ids.push(info.workflowId);
    } catch (err) {
      throw translate(err);
    }
    const incidents: IncidentState[] = [];
    const unreadable: string[] = [];
    // A few at a time: each query of a closed incident replays its history on a worker.
    for (let i = 0; i < ids.length; i += 8) {
      const batch = ids.slice(i, i + 8);
      const results = await Promise.allSettled(batch.map((id) => this.client.workflow.getHandle(id).query(getStateQuery)));
      results.forEach((result, j) => (result.status === 'fulfilled' ? incidents.push(result.value) : unreadable.push(batch[j]!)));
    }
    return { incidents, unreadable };
  }

  get(id: string): Promise<IncidentState> {
    return translated(id, () => this.client.workflow.getHandle(id).query(getStateQuery));
  }

  /** Approve or reject a containment step; a refused actor is told why and the refusal is recorded. */
  async decide(id: string, request: DecisionRequest): Promise<ContainmentStep> {
    const update = request.decision === 'approve' ? approveStepUpdate : rejectStepUpdate;
    try {
      return await this.runUpdate(id, update, {
        stepId: request.stepId,
        actor: request.actor,
        ...(request.reason ? { reason: request.reason } : {}),
        ...(request.memberOf?.length ? { memberOf: request.memberOf } : {}),
      });
    } catch (err) {
      await this.recordRefusal(id, err, { stepId: request.stepId, actor: request.actor, decision: request.decision });
      throw err;
    }
  }

  resolve(id: string, actor: string, summary: string): Promise<IncidentState> {
    return this.runUpdate(id, resolveUpdate, { actor, summary });
  }

  setSeverity(id: string, actor: string, severity: Severity): Promise<IncidentState> {
    return this.runUpdate(id, setSeverityUpdate, { actor, severity });
  }

  assignCommander(id: string, actor: string, commander: string): Promise<IncidentState> {
    return this.runUpdate(id, assignCommanderUpdate, { actor, commander });
  }

  acknowledge(id: string, actor: string): Promise<IncidentState> {
    return this.runUpdate(id, acknowledgeUpdate, { actor });
  }

  /** The postmortem draft, written when the incident was resolved and kept current until completed. */
  async postmortem(id: string): Promise<string> {
    const state = await this.get(id);
    if (!state.postmortem) throw new IncidentError(FailureType.conflict, `${id} is ${state.status}: its postmortem draft is written when it is resolved`);
    return state.postmortem.markdown;
  }

  completePostmortem(id: string, actor: string): Promise<IncidentState> {
    return this.runUpdate(id, completePostmortemUpdate, { actor });
  }

  addAction(id: string, request: AddActionInput): Promise<CorrectiveAction> {
    return this.runUpdate(id, addActionUpdate, request);
  }

  /** Only the IC may waive; a refusal is recorded on the timeline like a refused approval. */
  async waiveAction(id: string, actionId: string, actor: string, reason: string): Promise<CorrectiveAction> {
    try {
      return await this.runUpdate(id, waiveActionUpdate, { actionId, actor, reason });
    } catch (err) {
      await this.recordRefusal(id, err, { stepId: actionId, actor, decision: 'reject' });
      throw err;
    }
  }

  /**
   * The ticket of an action was closed: in our own tracker this closes it; either way the action hears
   * at once (trackers with webhooks report here too; the others are polled).
   */
  async closeAction(id: string, actionId: string, actor: string): Promise<CorrectiveAction> {
    const action = (await this.get(id)).actions.find((a) => a.id === actionId);
    if (!action) throw new IncidentError(FailureType.notFound, `${id} has no corrective action "${actionId}"`);
    if (action.status !== 'open') throw new IncidentError(FailureType.conflict, `${actionId} is already ${action.status}`);
    if (action.ticket && this.options.tickets?.close && action.ticket.provider === this.options.tickets.name) {
      await this.options.tickets.close(action.ticket.key, actor).catch((err: Error) => {
        throw new IncidentError(FailureType.conflict, `Cannot close ticket ${action.ticket!.key} of ${actionId}: ${err.message}`);
      });
    }
    const actionHandle = this.client.workflow.getHandle(`${id}-${actionId}`);
    await translated(id, () => actionHandle.signal(ticketClosedSignal, { by: actor }));
    return this.untilEnded(id, actionId);
  }

  /** A tracker reports that the ticket of action `<incident>/<action>` closed (a webhook). */
  async ticketClosed(externalId: string, closure: { by: string; closedAt?: string }): Promise<void> {
    const match = /^(INC-[0-9A-Z]{5})\/(A\d+)$/.exec(externalId);
    if (!match) throw new IncidentError(FailureType.invalid, `"${externalId}" is not a corrective action such as INC-7K3QX/A1`);
    const [, incidentId, actionId] = match;
    await translated(incidentId!, () => this.client.workflow.getHandle(`${incidentId}-${actionId}`).signal(ticketClosedSignal, closure));
  }

  private async untilEnded(id: string, actionId: string, timeoutMs = 10_000): Promise<CorrectiveAction> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const action = (await this.get(id)).actions.find((a) => a.id === actionId)!;
      if (action.status !== 'open' || Date.now() > deadline) return action;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Runs an Update of incident `id`; what the workflow refuses comes back as an IncidentError. */
  private runUpdate<Ret, Input>(id: string, update: UpdateDefinition<Ret, [Input]>, input: Input): Promise<Ret> {
    return translated(id, () => this.client.workflow.getHandle(id).executeUpdate(update, { args: [input] }));
  }

  /** A refused actor's attempt goes on the timeline; the caller is refused either way, so losing the record must not turn it into a 500. */
  private async recordRefusal(id: string, err: unknown, attempt: Omit<RefusalInput, 'reason'>): Promise<void> {
    if (!(err instanceof IncidentError) || err.kind !== FailureType.notAuthorized) return;
    await this.client.workflow
      .getHandle(id)
      .signal(approvalRefusedSignal, { ...attempt, reason: err.message })
      .catch(() => undefined);
  }
}

async function translated<T>(id: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw translate(err, id);
  }
}
