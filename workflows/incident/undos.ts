// After resolution, each containment step that changed something can be reversed, with its own
// approval, for UNDO_WINDOW; then the offer expires and the containment stays in place.
import { condition } from '@temporalio/workflow';
import { restoring } from '../../integrations/flags/expectations.js';
import { durationMs } from '../../runbooks/duration.js';
import { SYSTEM } from '../constants.js';
import type { ContainmentStep } from '../types.js';
import type { Incident } from './incident.js';
import { describeAction, type StepAction } from './step-actions.js';

/** How long the reversal of a containment step stays on offer after resolution. */
const UNDO_WINDOW = '7d';

/** After resolution, each step that changed something can be reversed, with its own approval. */
export function offerUndos(incident: Incident) {
  const { state, plans } = incident;
  for (const step of [...state.steps]) {
    const plan = plans.get(step.id)!;
    if (step.kind === 'undo' || step.status !== 'verified') continue;
    const { action } = plan;
    let undo: StepAction | undefined;
    if (action.type === 'flag' && plan.previous) {
      undo = { ...action, change: restoring(action.change, plan.previous) };
    } else if (action.type === 'model' && plan.previousVersion) {
      undo = { type: 'model', model: action.model, alias: action.alias, to: plan.previousVersion };
    } else if (action.type === 'http' && action.undo) {
      undo = { type: 'http', request: action.undo };
    }
    if (!undo) continue;
    const undoStep: ContainmentStep = {
      id: `undo-${step.id}`,
      kind: 'undo',
      title: `Undo "${step.title}": ${describeAction(undo)}`,
      description: `Reverses ${step.id} now that the incident is resolved.`,
      target: describeAction(undo),
      // Decided by those who could decide the step when it ran: a later IC does not inherit it.
      approvers: step.approvers.map((ref) => (ref === 'ic' ? `user:${plan.commanderWhenRan ?? state.commander}` : ref)),
      escalationLevel: 0,
      decisionDue: new Date(Date.now() + durationMs(UNDO_WINDOW)).toISOString(),
      status: 'pending',
      undoes: step.id,
    };
    plans.set(undoStep.id, { action: undo, approval: plan.approval });
    state.steps.push(undoStep);
    incident.record('undo.proposed', SYSTEM, `Offered: ${undoStep.title} (needs approval within ${UNDO_WINDOW})`, {
      stepId: undoStep.id,
    });
  }
}

/** Undo offers stay open for UNDO_WINDOW (in a continued run: until their decisionDue); then whatever is still pending expires. */
export async function expireUndos(incident: Incident, resumed = false) {
  const pendingUndos = () => incident.state.steps.filter((s) => s.kind === 'undo' && s.status === 'pending');
  const due = Math.max(
    0,
    ...pendingUndos()
      .map((s) => Date.parse(s.decisionDue ?? ''))
      .filter(Number.isFinite),
  );
  const windowMs = resumed ? Math.max(1, due - Date.now()) : durationMs(UNDO_WINDOW);
  if (!pendingUndos().length || (await condition(() => pendingUndos().length === 0, windowMs))) return;
  for (const step of pendingUndos()) {
    step.status = 'expired';
    step.decisionDue = undefined;
    incident.record(
      'undo.expired',
      SYSTEM,
      `Nobody decided "${step.title}" within ${UNDO_WINDOW}; the containment stays in place`,
      { stepId: step.id },
    );
  }
}
