// The override-evidence Update: the IC, and only the IC, lets a step held for its evidence run without a
// complete snapshot, with a reason; a refusal is recorded by the entry point, like every other.
import { condition } from '@temporalio/workflow';
import { FailureType } from '../failures.js';
import { overrideEvidenceUpdate } from '../messages.js';
import type { Containment } from './containment.js';
import { latestEvidence } from './evidence-summary.js';
import type { Incident } from './incident.js';
import type { HandleOnceReady } from './ready.js';
import { actorOf, refuse, requireActor, requireText } from './requests.js';

export function registerEvidenceHandlers(
  incident: Incident,
  containment: Containment,
  handleOnceReady: HandleOnceReady,
) {
  const { state } = incident;
  handleOnceReady(
    overrideEvidenceUpdate,
    (input) => {
      requireActor(input?.actor);
      const step = incident.findStep(input.stepId);
      incident.requirePermission(['ic'], input, `override the evidence of step "${step.id}"`);
      requireText(input.reason, 'reason');
      if (!containment.evidence.holding(step)) {
        const record = latestEvidence(state, step.id);
        const why = !record
          ? 'no evidence was taken for it'
          : !record.required
            ? 'the runbook does not require its evidence'
            : `it is ${step.status} and its evidence is ${record.status}`;
        refuse(FailureType.conflict, `Step "${step.id}" is not waiting for evidence: ${why}`);
      }
    },
    async (input) => {
      const step = incident.findStep(input.stepId);
      incident.acknowledgedBy(input.actor);
      containment.evidence.override(step, actorOf(input), input.reason.trim());
      // Answered once the step has run, as an approval is.
      await condition(() => step.status !== 'approved' && step.status !== 'executing');
      return step;
    },
  );
}
