// The incident's state and what every part of the workflow does with it: the timeline, the search
// attributes, messages to people, pages, and the incident's own ticket. One instance per workflow run.
import {
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../../activities/index.js';
import type { FlagReading } from '../../integrations/flags/provider.js';
import { formatDuration } from '../../runbooks/duration.js';
import { DEFAULT_POLICY, type Permission, type Policy, type RoleRef } from '../../runbooks/roles.js';
import type { ApproverGroups, Runbook, RunbookStep } from '../../runbooks/schema.js';
import type { IdentitySource } from '../../runbooks/vocabulary.js';
import type { ActorInput, RefusalInput } from '../messages.js';
import { describeRoles, holdsRole } from './approvers.js';
import { ACTIVITY_OPTIONS, SYSTEM } from '../constants.js';
import { FailureType, failureMessage } from '../failures.js';
import { SUMMARY_MEMO_KEY, readSummaryOf, searchAttributesOf } from '../read-model.js';
import { IncidentCategory, IncidentCommander, IncidentSeverity, IncidentStatus } from '../search-attributes.js';
import type { ContainmentStep, DeclareInput, IncidentState, Ticket, TimelineEntry, TimelineType } from '../types.js';
import type { StepAction } from './step-actions.js';

export const activities = proxyActivities<IncidentActivities>(ACTIVITY_OPTIONS);

export function refuse(type: FailureType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') refuse(FailureType.invalid, `${field} is required`);
  return value.trim();
}

export const now = () => new Date().toISOString();

/** Control and format characters (zero-width spaces, direction overrides): look-alike ids are refused, not normalised away. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/** The acting person's id: present, NFKC-normalised by the entry point, nothing invisible in it. */
export function requireActor(value: unknown, field = 'actor'): string {
  const id = requireText(value, field);
  if (INVISIBLE.test(id)) refuse(FailureType.invalid, `${field} contains control or format characters`);
  if (id !== id.normalize('NFKC')) refuse(FailureType.invalid, `${field} must be NFKC-normalised`);
  return id;
}

/** Who did something, and how they were identified. */
export interface ActorRef {
  actor: string;
  via?: IdentitySource;
}

export const actorOf = (input: ActorRef): ActorRef => ({
  actor: input.actor.trim(),
  ...(input.via ? { via: input.via } : {}),
});

/** What the workflow keeps about a step beyond its public state: how to run it and how to undo it. */
export interface StepPlan {
  action: StepAction;
  approval: RunbookStep['approval'];
  /** Set once the step ran: the flag as it was before, for undo. */
  previous?: FlagReading;
  /** Set once a model rollback ran: the version the alias served before, for undo. */
  previousVersion?: string;
  /** The IC when the step ran: `ic` among its undo's approvers means them, not a later IC. */
  commanderWhenRan?: string;
}

export class Incident {
  readonly state: IncidentState;
  readonly plans = new Map<string, StepPlan>();
  runbook!: Runbook;
  groups: ApproverGroups = {};
  policy: Policy = DEFAULT_POLICY;
  /** Set once the runbook is loaded: until then, Updates wait before they are judged. */
  ready = false;
  /**
   * Whether a severity's pre-approvals apply only to the steps its setter may approve (patched
   * 'severity-authority'); false while replaying incidents declared before that rule.
   */
  severityAuthority = false;
  /** Steps whose pre-approval the current severity may trigger: it was set by the runbook or by someone who may approve them. */
  readonly vouched = new Set<string>();
  /** The timeline entry of each repeated refusal (actor, request, step or action): counted, not appended again. */
  private readonly refusals = new Map<string, TimelineEntry>();
  /** The incident record's calls, one after another, so the tracker sees them in order. */
  private recordWork = Promise.resolve();
  /** Sent one after another, so PagerDuty never sees the resolution before the acknowledgement. */
  private pageUpdates = Promise.resolve();

  constructor(readonly input: DeclareInput) {
    const declaredAt = now();
    this.state = {
      id: input.id,
      title: input.title,
      category: input.category,
      severity: input.severity,
      description: input.description,
      status: 'declared',
      commander: input.commander,
      declaredBy: input.declaredBy,
      declaredAt,
      ...(input.detectedAt && Date.parse(input.detectedAt) <= Date.parse(declaredAt)
        ? { detectedAt: input.detectedAt }
        : {}),
      ...(input.service ? { service: input.service } : {}),
      ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}),
      ...(input.repeatOf ? { repeatOf: input.repeatOf } : {}),
      triage: [],
      steps: [],
      notified: [],
      paged: [],
      actions: [],
      timeline: [],
    };
  }

  record = (type: TimelineType, who: string | ActorRef, message: string, data?: Record<string, unknown>) => {
    const { actor, via } = typeof who === 'string' ? { actor: who, via: undefined } : who;
    this.state.timeline.push({ at: now(), type, actor, ...(via ? { via } : {}), message, ...(data ? { data } : {}) });
  };

  /**
   * Refuses unless the actor holds one of the roles the policy gives `permission`; the refusal names
   * the roles, not the people. Incidents declared before policies existed run under the default policy.
   */
  requirePermission(
    permission: Exclude<Permission, 'severityTo'>,
    input: ActorInput,
    what: string,
    owner?: string,
  ): string;
  requirePermission(refs: readonly RoleRef[], input: ActorInput, what: string, owner?: string): string;
  requirePermission(
    which: Exclude<Permission, 'severityTo'> | readonly RoleRef[],
    input: ActorInput,
    what: string,
    owner?: string,
  ): string {
    const actor = requireActor(input?.actor);
    const refs = typeof which === 'string' ? this.policy[which] : which;
    const memberOf = Array.isArray(input.memberOf) ? input.memberOf : [];
    const ctx = {
      commander: this.state.commander,
      groups: this.groups,
      stepApprovers: this.state.steps.map((s) => s.approvers),
      ...(owner ? { owner } : {}),
    };
    if (!holdsRole(refs, actor, memberOf, ctx))
      refuse(FailureType.notAuthorized, `${actor} may not ${what}: only ${describeRoles(refs)} may`);
    return actor;
  }

  isResolved = () => ['resolved', 'postmortem', 'closed'].includes(this.state.status);

  /**
   * Keeps visibility current. Since 'read-side' (patched, so histories recorded before replay as they
   * ran): every search attribute and the KPI summary memo, republished whenever either differs from
   * what was last published, here and on any later change (a loop started on the first call), so the
   * read side never queries an incident. An incident running from before the patch takes it up at its
   * next publish.
   */
  publish() {
    const { state } = this;
    if (!patched('read-side')) {
      upsertSearchAttributes([
        { key: IncidentSeverity, value: state.severity },
        { key: IncidentStatus, value: state.status },
        { key: IncidentCategory, value: state.category },
        { key: IncidentCommander, value: state.commander },
      ]);
      return;
    }
    this.publishChanges();
    if (this.following) return;
    this.following = true;
    void (async () => {
      for (;;) {
        await condition(
          () =>
            this.publishedAttributes !== JSON.stringify(searchAttributesOf(state)) ||
            this.publishedSummary !== JSON.stringify(readSummaryOf(state)),
        );
        this.publishChanges();
      }
    })();
  }

  private following = false;
  private publishedAttributes = '';
  private publishedSummary = '';

  private publishChanges() {
    const attributes = searchAttributesOf(this.state);
    const summary = readSummaryOf(this.state);
    const [attributesJson, summaryJson] = [JSON.stringify(attributes), JSON.stringify(summary)];
    if (attributesJson !== this.publishedAttributes) upsertSearchAttributes(attributes);
    if (summaryJson !== this.publishedSummary) upsertMemo({ [SUMMARY_MEMO_KEY]: summary });
    this.publishedAttributes = attributesJson;
    this.publishedSummary = summaryJson;
  }

  /** Time to acknowledge ends at the IC's first act on the incident, whatever it is. */
  acknowledgedBy(actor: string) {
    const { state } = this;
    if (state.acknowledgedAt || actor.trim() !== state.commander) return;
    state.acknowledgedAt = now();
    const took = Date.parse(state.acknowledgedAt) - Date.parse(state.declaredAt);
    this.record('acknowledged', state.commander, `Acknowledged by the IC ${formatDuration(took)} after declaration`, {
      timeToAcknowledgeMs: took,
    });
    this.followPage('acknowledge');
  }

  findStep(stepId: unknown): ContainmentStep {
    const id = requireText(stepId, 'stepId');
    const step = this.state.steps.find((s) => s.id === id);
    if (!step) {
      const known = this.state.steps.map((s) => s.id).join(', ') || 'none';
      refuse(FailureType.notFound, `${this.state.id} has no containment step "${id}" (steps: ${known})`);
    }
    return step;
  }

  /**
   * A request the workflow refused, as its entry point reports it: on the timeline once per actor,
   * request and target, with a count, so a flood of refusals cannot grow the state without bound.
   */
  recordRefusal(refusal: RefusalInput) {
    const actor = String(refusal.actor);
    const target = refusal.stepId ?? refusal.actionId ?? '';
    const key = JSON.stringify([actor, refusal.via ?? '', refusal.decision ?? '', target]);
    const seen = this.refusals.get(key);
    const attempts = Math.max(1, Math.floor(Number(refusal.count ?? 1)) || 1);
    if (seen?.data) {
      seen.data.count = Number(seen.data.count ?? 1) + attempts;
      seen.data.lastAt = now();
      return;
    }
    const approval = refusal.decision === 'approve' || refusal.decision === 'reject' || refusal.decision === undefined;
    const data = {
      ...(refusal.stepId ? { stepId: refusal.stepId } : {}),
      ...(refusal.actionId ? { actionId: refusal.actionId } : {}),
      decision: refusal.decision ?? 'approve',
      count: attempts,
    };
    this.record(
      approval ? 'approval.refused' : 'request.refused',
      { actor, ...(refusal.via ? { via: refusal.via } : {}) },
      `Refused: ${refusal.reason}`,
      data,
    );
    this.refusals.set(key, this.state.timeline.at(-1)!);
  }

  requireOpen() {
    if (this.isResolved()) refuse(FailureType.conflict, `${this.state.id} is already resolved`);
  }

  requireCommander(actor: string, what: string) {
    if (actor !== this.state.commander)
      refuse(
        FailureType.notAuthorized,
        `${actor} may not ${what}: only the incident commander (${this.state.commander}) may`,
      );
  }

  async notify(audience: string[], subject: string, text: string) {
    if (!audience.length) return;
    try {
      await activities.notify({ incidentId: this.state.id, audience, subject, text });
      this.record('notification.sent', SYSTEM, `Notified ${audience.join(', ')}: ${subject}`);
    } catch (err) {
      this.record('notification.failed', SYSTEM, `Could not notify ${audience.join(', ')}: ${failureMessage(err)}`);
    }
  }

  /** Tells the stakeholder groups of the current severity that have not heard yet. */
  async notifyStakeholders(subject: string) {
    const { state } = this;
    const audience = (this.runbook.notifications[state.severity]?.notify ?? []).filter(
      (group) => !state.notified.includes(group),
    );
    state.notified.push(...audience);
    await this.notify(
      audience,
      subject,
      `${state.id} (${state.severity}, ${state.category}): ${state.title}. IC: ${state.commander}.`,
    );
  }

  /** Pages the on-call rotations of the current severity that have not been paged yet. */
  async pageOnCall(reason: string) {
    const { state } = this;
    // Runbook snapshots recorded before paging existed have no `page`.
    const targets = (this.runbook.notifications[state.severity]?.page ?? []).filter((t) => !state.paged.includes(t));
    if (!targets.length) return;
    state.paged.push(...targets);
    const summary = `[${state.severity}] ${state.title} (${reason})`;
    try {
      const { delivered } = await activities.page({ incidentId: state.id, targets, severity: state.severity, summary });
      this.record('page.sent', SYSTEM, `Paged ${targets.join(', ')}: ${reason}, via ${delivered}`);
    } catch (err) {
      this.record('page.failed', SYSTEM, `Could not page ${targets.join(', ')}: ${failureMessage(err)}`);
    }
  }

  /** The page follows the incident: acknowledged once the IC has it, resolved with it. */
  followPage(action: 'acknowledge' | 'resolve') {
    if (!this.state.paged.length || !patched('page-follows-incident')) return;
    this.pageUpdates = this.pageUpdates.then(async () => {
      try {
        const { delivered } = await activities.updatePage({ incidentId: this.state.id, action });
        this.record(
          action === 'acknowledge' ? 'page.acknowledged' : 'page.resolved',
          SYSTEM,
          `Page ${action}d, via ${delivered}`,
        );
      } catch (err) {
        this.record('page.failed', SYSTEM, `Could not ${action} the page: ${failureMessage(err)}`);
      }
    });
  }

  /**
   * The incident's own ticket: filed at declaration, told of the resolution, given the postmortem and
   * closed at the end.
   */
  openRecord() {
    if (!patched('incident-record')) return;
    const { state } = this;
    this.recordWork = this.recordWork.then(async () => {
      try {
        state.record = await activities.openIncidentRecord({
          incidentId: state.id,
          title: `[${state.id}] ${state.severity} ${state.title}`,
          body: [
            state.description || state.title,
            `${state.severity} ${state.category}, declared by ${state.declaredBy} at ${state.declaredAt}; incident commander ${state.commander}; runbook "${this.runbook.title}".`,
            'This is the incident record: the resolution and the postmortem are added here, and it is closed when the incident closes.',
          ].join('\n\n'),
          severity: state.severity,
          labels: ['incident', `severity:${state.severity}`, `category:${state.category}`],
        });
        this.record('record.opened', SYSTEM, `Incident record ${state.record.key}: ${state.record.url}`);
      } catch (err) {
        this.record('record.failed', SYSTEM, `Could not file the incident record: ${failureMessage(err)}`);
      }
    });
  }

  onRecord(what: string, work: (ticket: Ticket) => Promise<void>): Promise<void> {
    this.recordWork = this.recordWork.then(async () => {
      const ticket = this.state.record;
      if (!ticket) return;
      try {
        await work(ticket);
      } catch (err) {
        this.record(
          'record.failed',
          SYSTEM,
          `Could not ${what} on the incident record ${ticket.key}: ${failureMessage(err)}`,
        );
      }
    });
    return this.recordWork;
  }
}
