import { basename } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, type UpdateDefinition } from '@temporalio/common';
import { FailureType } from '../workflows/failures.js';
import { incidentWorkflow } from '../workflows/incident/workflow.js';
import type { IncidentRunInput } from '../workflows/incident/continuation.js';
import {
  acknowledgeUpdate,
  addActionUpdate,
  approvalRefusedSignal,
  approveStepUpdate,
  assignCommanderUpdate,
  classifyUpdate,
  overrideEvidenceUpdate,
  closeActionUpdate,
  completePostmortemUpdate,
  completeTriageUpdate,
  getStateQuery,
  publishIncidentUpdate,
  postStatusUpdateUpdate,
  rejectStepUpdate,
  resolveUpdate,
  setSeverityUpdate,
  submitObligationUpdate,
  ticketClosedSignal,
  unclassifyUpdate,
  waiveActionUpdate,
} from '../workflows/messages.js';
import type {
  ActorInput,
  AddActionInput,
  ClassifyInput,
  PostStatusUpdateInput,
  RefusalInput,
  SubmitObligationInput,
} from '../workflows/messages.js';
import { holdsRole, describeRoles } from '../workflows/incident/approvers.js';
import { selectRunbook, policyFor } from '../runbooks/library.js';
import type { IdentitySource } from '../runbooks/vocabulary.js';
import type {
  Category,
  ContainmentStep,
  CorrectiveAction,
  DeclareInput,
  IncidentState,
  ObligationClock,
  Severity,
  StatusUpdate,
} from '../workflows/types.js';
import type { TicketProvider } from '../integrations/ticketing/provider.js';
import { incidentStartOptions } from '../workflows/search-attributes.js';
import type { RunbookSource } from '../runbooks/source.js';
import { IncidentError, TOO_MANY_REQUESTS, translate } from './incident-error.js';
import { IncidentIndex, type IncidentPage, type IncidentSummary } from './incident-index.js';
import type { IncidentFilter } from './incident-query.js';
import type { KpiIncident } from './kpis/compute.js';
import { RefusalRecorder } from './refusal-recorder.js';
import { BURST, RATE_PER_SECOND, RequestRate } from './request-rate.js';
import { incidentIdForKey, newIncidentId } from './incident-id.js';
import { auditBundle, type AuditBundle } from './export/audit-bundle.js';
import { exportRefusal } from './export/export-policy.js';
import { runbookSnapshotFromHistory } from './export/runbook-history.js';

/** How long a declaration waits for a worker to load the incident's runbook before answering without it. */
export const TRIAGE_WAIT_MS = 10_000;

/**
 * Who acts, as the entry point verified it. A bare string is the one person of a loopback-only
 * product with no identity source (`local`): tests, drills and the laptop.
 */
export type Actor = ActorInput;
export type Who = string | Actor;

/** The id NFKC-normalised and trimmed; the workflow refuses what is still invisible or odd. */
export function asActor(who: Who): Actor {
  const actor = typeof who === 'string' ? { actor: who, via: 'local' as IdentitySource } : who;
  return { ...actor, actor: actor.actor.normalize('NFKC').trim() };
}

export interface DeclareRequest {
  title: string;
  category: Category;
  severity: Severity;
  description?: string;
  commander?: string;
  declaredBy?: string;
  /** How the declarer was identified, and the groups their identity source vouches for. */
  declaredVia?: IdentitySource;
  memberOf?: string[];
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

export type { IncidentPage, IncidentSummary } from './incident-index.js';

export interface DecisionRequest {
  stepId: string;
  decision: 'approve' | 'reject';
  reason?: string;
}

/** What every entry point (HTTP API, CLI through it, Slack) does to incidents, in one place. */
export class IncidentService {
  private readonly index: IncidentIndex;

  constructor(
    private readonly client: Client,
    private readonly options: {
      taskQueue: string;
      runbooks: RunbookSource;
      tickets?: TicketProvider;
      /** Events after which an incident's run continues as new (default: workflows/incident/continuation.ts). */
      continueAfterEvents?: number;
    },
  ) {
    this.index = new IncidentIndex(client, (id) => this.get(id));
  }

  private readonly requestRate = new RequestRate();

  private readonly refusals = new RefusalRecorder((id, refusal) =>
    this.client.workflow.getHandle(id).signal(approvalRefusedSignal, refusal),
  );

  /** `triaging`: its runbook is loaded and its steps exist; false when no worker has started it yet. */
  async declare(request: DeclareRequest): Promise<{ id: string; triaging: boolean }> {
    const commander = request.commander?.normalize('NFKC').trim() ?? request.declaredBy?.normalize('NFKC').trim();
    if (!commander) throw new IncidentError(FailureType.invalid, 'commander or declaredBy is required');
    const library = await this.options.runbooks.current();
    if (request.runbookId) {
      const known = library.runbooks.map((r) => r.runbook.id);
      if (!known.includes(request.runbookId)) {
        throw new IncidentError(FailureType.invalid, `No runbook "${request.runbookId}" (known: ${known.join(', ')})`);
      }
    }
    const declarer = request.declaredBy?.normalize('NFKC').trim() ?? commander;
    const may = policyFor(
      library,
      selectRunbook(library, {
        category: request.category,
        ...(request.runbookId ? { runbookId: request.runbookId } : {}),
      }).runbook,
    ).declare;
    if (
      !holdsRole(may, declarer, request.memberOf ?? [], { commander: '', groups: library.groups, stepApprovers: [] })
    ) {
      throw new IncidentError(
        FailureType.notAuthorized,
        `${declarer} may not declare incidents: only ${describeRoles(may)} may`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      const keyed = attempt === 0 && request.idempotencyKey !== undefined;
      const input: IncidentRunInput = {
        id: keyed ? incidentIdForKey(request.idempotencyKey!) : newIncidentId(),
        title: request.title,
        category: request.category,
        severity: request.severity,
        description: request.description ?? '',
        commander,
        declaredBy: declarer,
        declaredVia: request.declaredVia ?? 'local',
        severityFrom: 'person',
        ...(request.memberOf?.length ? { declarerMemberOf: request.memberOf } : {}),
        ...(request.runbookId ? { runbookId: request.runbookId } : {}),
        ...(request.detectedAt ? { detectedAt: request.detectedAt } : {}),
        ...(request.service ? { service: request.service } : {}),
        ...(request.fingerprint ? { fingerprint: request.fingerprint } : {}),
        ...(this.options.continueAfterEvents ? { continueAfterEvents: this.options.continueAfterEvents } : {}),
      };
      try {
        await this.client.workflow.start(incidentWorkflow, {
          ...incidentStartOptions(input),
          taskQueue: this.options.taskQueue,
          args: [input],
        });
        return { id: input.id, triaging: await this.untilTriaging(input.id) };
      } catch (err) {
        if (keyed && err instanceof WorkflowExecutionAlreadyStartedError && (await this.sameDeclaration(input)))
          return { id: input.id, triaging: await this.untilTriaging(input.id) };
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
    return (
      existing !== undefined &&
      existing.title === input.title &&
      existing.declaredBy === input.declaredBy &&
      existing.category === input.category
    );
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

  completeTriage(id: string, itemId: string, who: Who, note?: string): Promise<IncidentState> {
    return this.runUpdate(id, completeTriageUpdate, { ...asActor(who), itemId, ...(note ? { note } : {}) });
  }

  /**
   * A new incident loads its runbook first; answer the declarer once its steps exist, if that is
   * quick. False when no worker got to it in time: a query waits for a worker's workflow task, so
   * every query shares the one deadline.
   */
  private async untilTriaging(id: string, timeoutMs = TRIAGE_WAIT_MS): Promise<boolean> {
    const handle = this.client.workflow.getHandle(id);
    const deadline = Date.now() + timeoutMs;
    try {
      return await this.client.withDeadline(deadline, async () => {
        while (Date.now() < deadline) {
          if ((await handle.query(getStateQuery)).status !== 'declared') return true;
          await new Promise((r) => setTimeout(r, 50));
        }
        return false;
      });
    } catch (err) {
      if (Date.now() >= deadline) return false;
      throw err;
    }
  }

  /** Open incidents (or all), newest first: every page of the list, for a short answer such as Slack's. */
  async list({ includeClosed = false } = {}): Promise<IncidentSummary[]> {
    const incidents = await this.index.all({ status: includeClosed ? 'all' : 'open' });
    return incidents.sort((a, b) => b.declaredAt.localeCompare(a.declaredAt));
  }

  /** One page of incidents matching the filter (GET /api/incidents), from visibility alone. */
  page(filter: IncidentFilter, options: { limit?: number; cursor?: string } = {}): Promise<IncidentPage> {
    return this.index.page(filter, options);
  }

  /**
   * What the KPIs need of every incident declared since `since`, open or closed (within the
   * namespace's retention), from the read summaries in visibility. An incident from before them is
   * queried; one that cannot be read is named in `unreadable` instead of failing the lot. With
   * `changedSince`, only the incidents that changed since then.
   */
  declaredSince(
    since: Date,
    changedSince?: Date,
  ): Promise<{ incidents: KpiIncident[]; unreadable: string[]; queried: string[] }> {
    return this.index.kpiIncidents(since, changedSince);
  }

  get(id: string): Promise<IncidentState> {
    return translated(id, () => this.client.workflow.getHandle(id).query(getStateQuery));
  }

  /** Approve or reject a containment step; a refused actor is told why, and the refusal is recorded. */
  decide(id: string, request: DecisionRequest, who: Who): Promise<ContainmentStep> {
    const update = request.decision === 'approve' ? approveStepUpdate : rejectStepUpdate;
    return this.runUpdate(id, update, {
      ...asActor(who),
      stepId: request.stepId,
      ...(request.reason ? { reason: request.reason } : {}),
    });
  }

  resolve(id: string, who: Who, summary: string): Promise<IncidentState> {
    return this.runUpdate(id, resolveUpdate, { ...asActor(who), summary });
  }

  setSeverity(id: string, who: Who, severity: Severity): Promise<IncidentState> {
    return this.runUpdate(id, setSeverityUpdate, { ...asActor(who), severity });
  }

  assignCommander(id: string, who: Who, commander: string): Promise<IncidentState> {
    return this.runUpdate(id, assignCommanderUpdate, {
      ...asActor(who),
      commander: commander.normalize('NFKC').trim(),
    });
  }

  /** A status update to the stakeholders (the workflow judges who may: the IC or a communicator, by policy). */
  postUpdate(id: string, who: Who, update: Omit<PostStatusUpdateInput, keyof ActorInput>): Promise<StatusUpdate> {
    return this.runUpdate(id, postStatusUpdateUpdate, { ...update, ...asActor(who) });
  }

  acknowledge(id: string, who: Who): Promise<IncidentState> {
    return this.runUpdate(id, acknowledgeUpdate, asActor(who));
  }

  /** Puts the incident on the public status page under `title` (or changes that title); the policy says who may. */
  publish(id: string, who: Who, title: string): Promise<IncidentState> {
    return this.runUpdate(id, publishIncidentUpdate, { ...asActor(who), title });
  }

  /** The published incidents the status page shows, newest first, from visibility alone (incident-index.ts). */
  publishedIds(options: { limit: number; resolvedSince: Date }): Promise<string[]> {
    return this.index.published(options);
  }

  /** The IC lets a step held for its evidence run without a complete snapshot, with the reason. */
  overrideEvidence(id: string, stepId: string, who: Who, reason: string): Promise<ContainmentStep> {
    return this.runUpdate(id, overrideEvidenceUpdate, { ...asActor(who), stepId, reason });
  }

  /** Classifies the incident (the policy's `classify`), starting the runbook obligations it triggers. */
  classify(id: string, request: Omit<ClassifyInput, keyof ActorInput>, who: Who): Promise<IncidentState> {
    return this.runUpdate(id, classifyUpdate, { ...asActor(who), ...request });
  }

  /** Withdraws a classification, with the reason; the obligations it started stop. */
  unclassify(id: string, classification: string, who: Who, reason: string): Promise<IncidentState> {
    return this.runUpdate(id, unclassifyUpdate, { ...asActor(who), classification, reason });
  }

  /** Records a report submitted for an obligation: the first meets (or, with reasons, misses) its deadline. */
  submitObligation(
    id: string,
    request: Omit<SubmitObligationInput, keyof ActorInput>,
    who: Who,
  ): Promise<ObligationClock> {
    return this.runUpdate(id, submitObligationUpdate, { ...asActor(who), ...request });
  }

  /** The postmortem draft, written when the incident was resolved and kept current until completed. */
  async postmortem(id: string): Promise<string> {
    const state = await this.get(id);
    if (!state.postmortem)
      throw new IncidentError(
        FailureType.conflict,
        `${id} is ${state.status}: its postmortem draft is written when it is resolved`,
      );
    return state.postmortem.markdown;
  }

  /** The audit export (export/audit-bundle.ts), for whom the policy's `exportRecord` allows; a refusal is recorded. */
  async auditExport(id: string, who: Who): Promise<AuditBundle> {
    const actor = asActor(who);
    const state = await this.get(id);
    const refused = exportRefusal(state, await this.options.runbooks.current(), actor);
    if (refused) {
      await this.recordRefusal(id, {
        actor: actor.actor,
        ...(actor.via ? { via: actor.via } : {}),
        decision: 'export',
        reason: refused,
      });
      throw new IncidentError(FailureType.notAuthorized, refused);
    }
    const snapshot = await translated(id, () => runbookSnapshotFromHistory(this.client, id));
    return auditBundle(state, snapshot, actor, new Date().toISOString());
  }

  completePostmortem(id: string, who: Who): Promise<IncidentState> {
    return this.runUpdate(id, completePostmortemUpdate, asActor(who));
  }

  addAction(id: string, request: Omit<AddActionInput, keyof ActorInput>, who: Who): Promise<CorrectiveAction> {
    return this.runUpdate(id, addActionUpdate, {
      ...request,
      owner: request.owner.normalize('NFKC').trim(),
      ...asActor(who),
    });
  }

  waiveAction(id: string, actionId: string, who: Who, reason: string): Promise<CorrectiveAction> {
    return this.runUpdate(id, waiveActionUpdate, { ...asActor(who), actionId, reason });
  }

  /**
   * A person closes an action (the workflow judges who may: its owner, the IC or an approver, by
   * policy); then the ticket in our own tracker closes too. Other trackers close in their own UI.
   */
  async closeAction(id: string, actionId: string, who: Who): Promise<CorrectiveAction> {
    const actor = asActor(who);
    const action = await this.runUpdate(id, closeActionUpdate, { ...actor, actionId });
    if (action.ticket && this.options.tickets?.close && action.ticket.provider === this.options.tickets.name) {
      // The action is closed either way; our own tracker failing to follow must not say otherwise.
      await this.options.tickets.close(action.ticket.key, actor.actor).catch(() => undefined);
    }
    return action;
  }

  /**
   * A tracker reports that a ticket labelled as action `<incident>/<action>` closed (a signed webhook).
   * The label alone proves nothing (anyone may label an issue): it closes the action only if the
   * ticket is the one filed for it. Answers why when it is not.
   */
  async ticketClosed(
    externalId: string,
    ticket: { provider: string; key: string },
    closure: { by: string; closedAt?: string },
  ): Promise<{ ignored?: string }> {
    const match = /^(INC-[0-9A-Z]{5})\/(A\d+)$/.exec(externalId);
    if (!match)
      throw new IncidentError(FailureType.invalid, `"${externalId}" is not a corrective action such as INC-7K3QX/A1`);
    const [, incidentId, actionId] = match;
    const action = (await this.get(incidentId!)).actions.find((a) => a.id === actionId);
    if (!action) return { ignored: `${incidentId} has no corrective action ${actionId}` };
    if (action.ticket?.provider !== ticket.provider || action.ticket.key !== ticket.key) {
      return {
        ignored: `${ticket.provider} ${ticket.key} is labelled ${externalId} but is not its ticket (${action.ticket ? `${action.ticket.provider} ${action.ticket.key}` : 'none filed'})`,
      };
    }
    await translated(incidentId!, () =>
      this.client.workflow.getHandle(`${incidentId}-${actionId}`).signal(ticketClosedSignal, closure),
    );
    return {};
  }

  private async untilEnded(id: string, actionId: string, timeoutMs = 10_000): Promise<CorrectiveAction> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const action = (await this.get(id)).actions.find((a) => a.id === actionId)!;
      if (action.status !== 'open' || Date.now() > deadline) return action;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Runs an Update of incident `id`; what the workflow refuses comes back as an IncidentError, and a
   * refused person's attempt goes on the timeline (counted there, per person, request and target).
   */
  private async runUpdate<Ret, Input extends ActorInput>(
    id: string,
    update: UpdateDefinition<Ret, [Input]>,
    input: Input,
  ): Promise<Ret> {
    const refusal = (reason: string): RefusalInput => {
      const target = input as { stepId?: unknown; actionId?: unknown };
      return {
        actor: input.actor,
        ...(input.via ? { via: input.via } : {}),
        decision: update.name,
        ...(typeof target.stepId === 'string' ? { stepId: target.stepId } : {}),
        ...(typeof target.actionId === 'string' ? { actionId: target.actionId } : {}),
        reason,
      };
    };
    const wait = this.requestRate.take(id, input.actor);
    if (wait !== undefined) {
      const limit = `at most ${BURST} at once and ${RATE_PER_SECOND} a second per person and incident`;
      await this.recordRefusal(id, refusal(`too many requests (${limit})`));
      throw new IncidentError(
        TOO_MANY_REQUESTS,
        `${input.actor} sent too many requests to ${id} (${limit}): try again in ${wait} s`,
        'actor',
        wait,
      );
    }
    try {
      return await translated(id, () => this.client.workflow.getHandle(id).executeUpdate(update, { args: [input] }));
    } catch (err) {
      if (err instanceof IncidentError && err.kind === FailureType.notAuthorized)
        await this.recordRefusal(id, refusal(err.message));
      throw err;
    }
  }

  /** A refused attempt on the incident's timeline, repeats coalesced (refusal-recorder.ts). */
  recordRefusal(id: string, refusal: RefusalInput): Promise<void> {
    return this.refusals.record(id, refusal);
  }

  /** Sends the coalesced repeats now (at shutdown). */
  flushRefusals(): Promise<void> {
    return this.refusals.flush();
  }
}

async function translated<T>(id: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw translate(err, id);
  }
}
