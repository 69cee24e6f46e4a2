// The incident's obligations (product.md §9): a classification by someone the policy lets classify
// starts each runbook obligation it triggers as a durable clock, from the awareness time the classifier
// entered. Each clock reminds the responsible group and the IC at its percentages of the window, goes
// overdue at the deadline (escalating to the managers), and ends with a recorded submission. Every time
// is absolute in state, so a continued run resumes each clock where it was (resume()).
import { durationMs, formatDuration } from '../../runbooks/duration.js';
import type { RunbookObligation } from '../../runbooks/obligations.js';
import { SYSTEM } from '../constants.js';
import type { ClassifyInput, SubmitObligationInput, UnclassifyInput } from '../messages.js';
import type { Classification, ObligationClock } from '../types.js';
import type { Incident } from './incident.js';
import { actorOf, now } from './requests.js';
import { within } from './within.js';

/** Whether an obligation still holds the incident open: its clock runs, or it went overdue with nothing submitted. */
export const isPending = (clock: ObligationClock) => clock.status === 'open' || clock.status === 'overdue';

export class Obligations {
  constructor(private readonly incident: Incident) {}

  /** The runbook's obligations (none in snapshots from before obligations existed). */
  definitions(): RunbookObligation[] {
    return this.incident.runbook?.obligations ?? [];
  }

  /** The clock of `id` that is not withdrawn, if any. */
  active(id: string): ObligationClock | undefined {
    return this.incident.state.obligations?.find((o) => o.id === id && o.status !== 'withdrawn');
  }

  activeClassification(classification: string): Classification | undefined {
    return this.incident.state.classifications?.find((c) => c.classification === classification && !c.withdrawn);
  }

  /** Records the classification and starts every obligation it triggers that is not running already. */
  classify(input: ClassifyInput) {
    const { incident } = this;
    const { state } = incident;
    const by = actorOf(input);
    const at = now();
    const awareAt = input.awareAt ? new Date(Date.parse(input.awareAt)).toISOString() : at;
    const classification: Classification = {
      classification: input.classification.trim(),
      awareAt,
      by: by.actor,
      ...(by.via ? { via: by.via } : {}),
      at,
      reason: input.reason.trim(),
    };
    (state.classifications ??= []).push(classification);
    incident.acknowledgedBy(by.actor);
    incident.record(
      'obligation.classified',
      by,
      `Classified ${classification.classification} (aware since ${awareAt}): ${classification.reason}`,
      { classification: classification.classification, awareAt },
    );
    for (const definition of this.definitions()) {
      if (!definition.triggers.includes(classification.classification)) continue;
      const running = this.active(definition.id);
      if (running) {
        incident.record(
          'obligation.started',
          SYSTEM,
          `${definition.regime}: already running since ${running.startedAt} (${running.classification}), due ${running.dueAt}`,
          { obligationId: definition.id },
        );
        continue;
      }
      this.start(definition, classification);
    }
    incident.publish();
  }

  private start(definition: RunbookObligation, classification: Classification) {
    const { incident } = this;
    const { state } = incident;
    const aware = Date.parse(classification.awareAt);
    const windowMs = durationMs(definition.deadline);
    const startedAt = now();
    const clock: ObligationClock = {
      id: definition.id,
      regime: definition.regime,
      title: definition.title,
      classification: classification.classification,
      recipient: definition.recipient,
      responsible: definition.responsible,
      escalateTo: [...definition.escalateTo],
      deadline: definition.deadline,
      awareAt: classification.awareAt,
      startedAt,
      dueAt: new Date(aware + windowMs).toISOString(),
      reminders: definition.reminders.map((percent) => {
        const at = aware + Math.round((windowMs * percent) / 100);
        return { percent, at: new Date(at).toISOString(), ...(at <= Date.parse(startedAt) ? { skipped: true } : {}) };
      }),
      phases: [...definition.phases],
      report: definition.report,
      submissions: [],
      status: 'open',
    };
    (state.obligations ??= []).push(clock);
    incident.record(
      'obligation.started',
      SYSTEM,
      `${clock.regime}: ${clock.title}, due ${clock.dueAt} (${clock.deadline} from awareness) to ${clock.recipient}; ${clock.responsible} responsible`,
      { obligationId: clock.id, dueAt: clock.dueAt },
    );
    void incident.notify(
      this.audience(clock),
      `Obligation started: ${clock.regime}, due ${clock.dueAt}`,
      `${state.id} was classified ${clock.classification}: ${clock.title} (${clock.recipient}) is due by ${clock.dueAt}, ${clock.deadline} from ${clock.awareAt}. Draft: incident report-draft ${state.id} ${clock.id}`,
    );
    void this.follow(clock);
  }

  /** Withdraws the classification; the clocks it started (and that no other classification holds) stop. */
  unclassify(input: UnclassifyInput) {
    const { incident } = this;
    const by = actorOf(input);
    const classification = this.activeClassification(input.classification.trim())!;
    const at = now();
    classification.withdrawn = { by: by.actor, ...(by.via ? { via: by.via } : {}), at, reason: input.reason.trim() };
    incident.record(
      'obligation.unclassified',
      by,
      `Classification ${classification.classification} withdrawn: ${input.reason.trim()}`,
      { classification: classification.classification },
    );
    for (const clock of incident.state.obligations ?? []) {
      if (clock.classification !== classification.classification || clock.status === 'withdrawn') continue;
      clock.status = 'withdrawn';
      clock.withdrawnAt = at;
      incident.record('obligation.withdrawn', SYSTEM, `${clock.regime}: ${clock.title} no longer applies`, {
        obligationId: clock.id,
      });
    }
    incident.publish();
  }

  /** Records a submission: the first one meets the deadline (or comes late, with reasons); final ends the obligation. */
  submit(input: SubmitObligationInput): ObligationClock {
    const { incident } = this;
    const clock = this.active(input.obligationId.trim())!;
    const by = actorOf(input);
    const at = now();
    const first = clock.onTime === undefined;
    const late = first && Date.parse(at) > Date.parse(clock.dueAt);
    const reasons = input.reasons?.trim();
    clock.submissions.push({
      phase: input.phase,
      reference: input.reference.trim(),
      by: by.actor,
      ...(by.via ? { via: by.via } : {}),
      at,
      late,
      ...(reasons ? { reasons } : {}),
    });
    if (first) {
      clock.onTime = !late;
      clock.status = 'met';
    }
    if (input.phase === 'final') clock.completedAt = at;
    incident.record(
      'obligation.submitted',
      by,
      `${clock.regime}: ${input.phase} report submitted (${input.reference.trim()})${first ? (late ? `, late: ${reasons}` : ', on time') : ''}`,
      { obligationId: clock.id, phase: input.phase, reference: input.reference.trim() },
    );
    incident.publish();
    return clock;
  }

  /** A continued run: every clock still running resumes at the absolute times in state. */
  resume() {
    for (const clock of this.incident.state.obligations ?? []) if (clock.status === 'open') void this.follow(clock);
  }

  private audience(clock: ObligationClock, extra: string[] = []): string[] {
    const ic = `ic:${this.incident.state.commander}`;
    return [...new Set([...extra, clock.responsible, ic])];
  }

  /** The clock: each reminder at its absolute time, then overdue at the deadline, unless a submission (or a withdrawal) stops it. */
  private async follow(clock: ObligationClock) {
    const { incident } = this;
    const { state } = incident;
    const stopped = () => clock.status !== 'open';
    for (const reminder of clock.reminders) {
      if (reminder.sentAt || reminder.skipped) continue;
      if (await within(stopped, Math.max(1, Date.parse(reminder.at) - Date.now()))) return;
      reminder.sentAt = now();
      const left = formatDuration(Date.parse(clock.dueAt) - Date.now());
      incident.record(
        'obligation.reminded',
        SYSTEM,
        `${clock.regime}: ${reminder.percent} % of the ${clock.deadline} window gone; ${left} left until ${clock.dueAt}`,
        { obligationId: clock.id, percent: reminder.percent },
      );
      await incident.notify(
        this.audience(clock),
        `${clock.regime} due in ${left}: ${state.title}`,
        `${state.id}: ${clock.title} (${clock.recipient}) is due by ${clock.dueAt}. Submit: incident obligation submit ${state.id} ${clock.id} --reference REF --phase ${clock.phases[0]}`,
      );
    }
    if (await within(stopped, Math.max(1, Date.parse(clock.dueAt) - Date.now()))) return;
    clock.status = 'overdue';
    clock.overdueAt = now();
    incident.record(
      'obligation.overdue',
      SYSTEM,
      `${clock.regime}: the ${clock.deadline} deadline passed at ${clock.dueAt} with nothing submitted; escalated to ${clock.escalateTo.join(', ')}`,
      { obligationId: clock.id },
    );
    incident.publish();
    await incident.notify(
      this.audience(clock, clock.escalateTo),
      `OVERDUE: ${clock.regime} for ${state.id}`,
      `${state.id}: ${clock.title} (${clock.recipient}) was due by ${clock.dueAt}. Submit it now with the reasons for the delay: incident obligation submit ${state.id} ${clock.id} --reference REF --phase ${clock.phases[0]} --reasons "..."`,
    );
  }
}
