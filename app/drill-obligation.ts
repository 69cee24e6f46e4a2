// The obligation part of a drill (`incident drill RUNBOOK --classify C [--submit-at 20h]`): the drill's IC
// classifies the incident at declaration, then the drill plays its clocks on the time-skipping server.
// With --submit-at, the report goes in that long after awareness; without, the deadline passes, a late
// submission without reasons is refused and one with them accepted.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { durationMs } from '../runbooks/duration.js';
import type { IncidentState, ObligationClock } from '../workflows/types.js';
import { IncidentError } from './incident-error.js';
import type { IncidentService } from './incident-service.js';

export interface DrillClassification {
  classification: string;
  /** A duration after awareness (20h): when the report goes in; absent: only after the deadline. */
  submitAt?: string;
}

/** What happened to each obligation the classification started, for the report. */
export interface DrillObligationPlay {
  obligationId: string;
  regime: string;
  dueAt: string;
  /** What the drill tried, in order, and what the incident answered. */
  attempts: { at: string; phase: string; withReasons: boolean; outcome: string }[];
  final: ObligationClock;
}

export async function classifyForDrill(
  service: IncidentService,
  id: string,
  ic: string,
  spec: DrillClassification,
): Promise<void> {
  await service.classify(id, { classification: spec.classification, reason: 'drill' }, ic);
}

/** Plays every clock the classification started to its end; then their reports are in. */
export async function playObligations(
  env: TestWorkflowEnvironment,
  service: IncidentService,
  id: string,
  ic: string,
  spec: DrillClassification,
): Promise<DrillObligationPlay[]> {
  const started = (await service.get(id)).obligations ?? [];
  const plays: DrillObligationPlay[] = [];
  for (const clock of started.filter((o) => o.classification === spec.classification && o.status !== 'withdrawn')) {
    const attempts: DrillObligationPlay['attempts'] = [];
    const aware = Date.parse(clock.awareAt);
    const sleepUntil = async (at: number) => {
      const now = await env.currentTimeMs();
      if (at > now) await env.sleep(at - now);
    };
    const submit = async (withReasons: boolean) => {
      const at = new Date(await env.currentTimeMs()).toISOString();
      const phase = clock.phases[0]!;
      try {
        await service.submitObligation(
          id,
          {
            obligationId: clock.id,
            phase,
            reference: `DRILL-${clock.id}`,
            ...(withReasons ? { reasons: 'drill: the report was held for the containment to finish' } : {}),
          },
          ic,
        );
        attempts.push({ at, phase, withReasons, outcome: 'accepted' });
      } catch (err) {
        if (!(err instanceof IncidentError)) throw err;
        attempts.push({ at, phase, withReasons, outcome: `refused: ${err.message}` });
      }
    };
    if (spec.submitAt) {
      await sleepUntil(aware + durationMs(spec.submitAt));
      await submit(false);
      // Past the deadline, to show that nothing goes overdue once the report is in.
      await sleepUntil(Date.parse(clock.dueAt) + 60_000);
    } else {
      await sleepUntil(Date.parse(clock.dueAt) + 60_000);
      await submit(false);
      if (attempts.at(-1)?.outcome !== 'accepted') await submit(true);
    }
    const final = (await service.get(id)).obligations!.find((o) => o.id === clock.id && o.status !== 'withdrawn')!;
    plays.push({ obligationId: clock.id, regime: clock.regime, dueAt: clock.dueAt, attempts, final });
  }
  return plays;
}

/** The obligation part of the printed drill report: each clock's events, on the drill's clock. */
export function obligationEvents(incident: IncidentState): IncidentState['timeline'] {
  return incident.timeline.filter((e) => e.type.startsWith('obligation.'));
}
