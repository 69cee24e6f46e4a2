// The incident's state and what every part of the workflow does with it: the timeline, the search
// attributes, messages to people, pages, and the incident's own ticket. One instance per workflow run.
import { deprecatePatch, proxyActivities } from '@temporalio/workflow';
import type { IncidentActivities } from '../../activities/index.js';
import type { FlagReading } from '../../integrations/flags/provider.js';
import { formatDuration } from '../../runbooks/duration.js';
import { DEFAULT_POLICY, type Permission, type Policy, type RoleRef } from '../../runbooks/roles.js';
import type { ApproverGroups, Runbook, RunbookStep } from '../../runbooks/schema.js';
import type { ActorInput } from '../messages.js';
import { describeRoles, holdsRole } from './approvers.js';
import { ACTIVITY_OPTIONS, SYSTEM } from '../constants.js';
import { FailureType, failureMessage } from '../failures.js';
import type { ContainmentStep, DeclareInput, IncidentState, Ticket, TimelineType } from '../types.js';
import { now, refuse, requireActor, requireText, type ActorRef } from './requests.js';
import type { CarriedIncident } from './continuation.js';
import { deliverEachChannel } from './deliveries.js';
import { InFlight } from './in-flight.js';
import { Refusals } from './refusals.js';
import { Visibility } from './visibility.js';
import type { StepAction } from './step-actions.js';

const proxied = proxyActivities<IncidentActivities>(ACTIVITY_OPTIONS);

/** What the workflow keeps about a step beyond its public state: how to run it and how to undo it. */
export interface StepPlan {
  action: StepAction;
  approval: RunbookStep['approval'];
  /** Set once the step ran: the flag as it was before, for undo. */
  previous?: FlagReading;
  /** Set once a model rollback ran: the version the alias served before, for undo. */
  previousVersion?: string;
  /** The runbook's `preserveEvidence`: required, the step runs only with a snapshot or an IC override. */
  preserveEvidence?: 'required' | 'preferred';
  /** The IC when the step ran: `ic` among its undo's approvers means them, not a later IC. */
  commanderWhenRan?: string;
}

export class Incident {
  private readonly calls = new InFlight();
  /** The activities, each call counted while it is in flight. */
  readonly activities: IncidentActivities = this.calls.tracked(proxied);
  readonly state: IncidentState;
  readonly plans = new Map<string, StepPlan>();
  runbook!: Runbook;
  groups: ApproverGroups = {};
  policy: Policy = DEFAULT_POLICY;
  /** Set once the runbook is loaded: until then, Updates wait before they are judged. */
  ready = false;
  /** Steps whose pre-approval the current severity may trigger: it was set by the runbook or by someone who may approve them. */
  readonly vouched = new Set<string>();
  /** Whether the runbook's auto-resolve follows this incident's alerts. */
  autoResolve = false;
  readonly refusals = new Refusals(this);
  private readonly visibility = new Visibility(
    () => this.state,
    () => this.calls.isStopped,
  );
  /** The chat messages posted, by key (their ts), and what each last showed (channel.ts). */
  readonly chat = { messages: new Map<string, string>(), shown: new Map<string, string>() };
  /** The incident record's calls, one after another, so the tracker sees them in order. */
  private recordWork = Promise.resolve();
  /** Sent one after another, so PagerDuty never sees the resolution before the acknowledgement. */
  private pageUpdates = Promise.resolve();

  constructor(
    readonly input: DeclareInput,
    continued?: CarriedIncident,
  ) {
    if (continued) {
      this.state = continued.state;
      this.resume(continued);
      return;
    }
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

  /** Picks up where the previous run of this incident stopped. */
  private resume(carried: CarriedIncident) {
    this.runbook = carried.runbook;
    this.groups = carried.groups;
    this.policy = carried.policy;
    for (const [id, plan] of carried.plans) this.plans.set(id, plan);
    for (const id of carried.vouched) this.vouched.add(id);
    this.autoResolve = carried.autoResolve;
    this.refusals.restore(carried.refusals);
    for (const [key, ts] of carried.chat.messages) this.chat.messages.set(key, ts);
    for (const [key, view] of carried.chat.shown) this.chat.shown.set(key, view);
    this.ready = true;
  }

  /** What the next run needs of this one (continuation.ts). */
  carry(): Omit<CarriedIncident, 'runs' | 'untracked'> {
    return {
      state: this.state,
      runbook: this.runbook,
      groups: this.groups,
      policy: this.policy,
      plans: [...this.plans],
      vouched: [...this.vouched],
      autoResolve: this.autoResolve,
      refusals: this.refusals.carry(),
      chat: { messages: [...this.chat.messages], shown: [...this.chat.shown] },
    };
  }

  /** Counts the call while it is in flight (see InFlight.track). */
  track = <T>(start: () => Promise<T>): Promise<T> => this.calls.track(start);

  idle = () => this.calls.idle();

  /** This run is about to continue as new: nothing new reaches another system from it. */
  freeze = () => this.calls.stop();

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
    // A policy snapshot from before a permission existed has none: the default applies.
    const refs = typeof which === 'string' ? (this.policy[which] ?? DEFAULT_POLICY[which]) : which;
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

  /** Keeps visibility (search attributes, the read summary memo) current: see visibility.ts. */
  publish() {
    if (!this.calls.isStopped) this.visibility.publish();
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

  /**
   * Tells `audience`, fire-and-forget for whoever waits on the incident. The plan is one activity and
   * each channel's delivery another, in parallel, each on the timeline as sent or failed with its label: a
   * failing channel holds up and repeats no other. `idempotencyKey` names the message (a status
   * update's is `<incident>/update/<id>`); without one the plan derives it from its activity.
   */
  async notify(audience: string[], subject: string, text: string, idempotencyKey?: string) {
    if (!audience.length) return;
    deprecatePatch('per-channel-delivery');
    const notification = { incidentId: this.state.id, audience, subject, text };
    await deliverEachChannel(this.activities, this.record, notification, idempotencyKey);
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
      const { delivered } = await this.activities.page({
        incidentId: state.id,
        targets,
        severity: state.severity,
        summary,
      });
      this.record('page.sent', SYSTEM, `Paged ${targets.join(', ')}: ${reason}, via ${delivered}`);
    } catch (err) {
      this.record('page.failed', SYSTEM, `Could not page ${targets.join(', ')}: ${failureMessage(err)}`);
    }
  }

  /** The page follows the incident: acknowledged once the IC has it, resolved with it. */
  followPage(action: 'acknowledge' | 'resolve') {
    if (!this.state.paged.length) return;
    deprecatePatch('page-follows-incident');
    this.pageUpdates = this.pageUpdates.then(async () => {
      try {
        const { delivered } = await this.activities.updatePage({ incidentId: this.state.id, action });
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
    deprecatePatch('incident-record');
    const { state } = this;
    this.recordWork = this.recordWork.then(async () => {
      try {
        state.record = await this.activities.openIncidentRecord({
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
