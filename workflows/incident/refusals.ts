// Refused requests, as the entry points report them: on the timeline once per actor, request and
// target, with a count, so a flood of refusals cannot grow the incident's state without bound.
import type { RefusalInput } from '../messages.js';
import type { TimelineEntry } from '../types.js';
import type { Incident } from './incident.js';
import { now } from './requests.js';

/** Distinct refusals kept apart; past this, further new ones are counted on one entry. */
const MAX_DISTINCT = 200;
const OTHERS = '["others"]';

export class Refusals {
  /** The timeline entry of each refusal kept apart, by its key. */
  private readonly entries = new Map<string, TimelineEntry>();

  constructor(private readonly incident: Incident) {}

  record(refusal: RefusalInput) {
    const actor = String(refusal.actor);
    const target = refusal.stepId ?? refusal.actionId ?? '';
    let key = JSON.stringify([actor, refusal.via ?? '', refusal.decision ?? '', target]);
    if (!this.entries.has(key) && this.entries.size >= MAX_DISTINCT) key = OTHERS;
    const seen = this.entries.get(key);
    const attempts = Math.max(1, Math.floor(Number(refusal.count ?? 1)) || 1);
    if (seen?.data) {
      seen.data.count = Number(seen.data.count ?? 1) + attempts;
      seen.data.lastAt = now();
      return;
    }
    if (key === OTHERS) {
      this.incident.record(
        'request.refused',
        actor,
        `Refused: more than ${MAX_DISTINCT} different refused requests; the rest are counted here`,
        { count: attempts },
      );
    } else {
      const approval =
        refusal.decision === 'approve' || refusal.decision === 'reject' || refusal.decision === undefined;
      this.incident.record(
        approval ? 'approval.refused' : 'request.refused',
        { actor, ...(refusal.via ? { via: refusal.via } : {}) },
        `Refused: ${refusal.reason}`,
        {
          ...(refusal.stepId ? { stepId: refusal.stepId } : {}),
          ...(refusal.actionId ? { actionId: refusal.actionId } : {}),
          decision: refusal.decision ?? 'approve',
          count: attempts,
        },
      );
    }
    this.entries.set(key, this.incident.state.timeline.at(-1)!);
  }

  /** Each entry's key and place on the timeline, for the next run. */
  carry(): [string, number][] {
    const { timeline } = this.incident.state;
    return [...this.entries].map(([key, entry]) => [key, timeline.indexOf(entry)]);
  }

  restore(carried: [string, number][]) {
    for (const [key, at] of carried) {
      const entry = this.incident.state.timeline[at];
      if (entry) this.entries.set(key, entry);
    }
  }
}
