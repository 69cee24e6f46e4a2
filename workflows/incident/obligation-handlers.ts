// The Updates that classify an incident and record obligation submissions. Validated like approvals:
// who may classify is the policy's `classify` (the IC by default); a refusal is recorded by the entry point.
import { knownClassifications, OBLIGATION_PHASES } from '../../runbooks/obligation-rules.js';
import { DEFAULT_POLICY } from '../../runbooks/roles.js';
import { FailureType } from '../failures.js';
import { classifyUpdate, submitObligationUpdate, unclassifyUpdate } from '../messages.js';
import type { Incident } from './incident.js';
import { Obligations } from './obligations.js';
import type { HandleOnceReady } from './ready.js';
import { refuse, requireActor, requireText } from './requests.js';

export function registerObligationHandlers(incident: Incident, handleOnceReady: HandleOnceReady): Obligations {
  const { state } = incident;
  const obligations = new Obligations(incident);
  // Policies carried from before classification existed have no entry: the default (the IC).
  const classifiers = () => incident.policy.classify ?? DEFAULT_POLICY.classify;

  handleOnceReady(
    classifyUpdate,
    (input) => {
      requireActor(input?.actor);
      incident.requirePermission(classifiers(), input, `classify ${state.id}`);
      if (state.status === 'closed') refuse(FailureType.conflict, `${state.id} is closed`);
      const classification = requireText(input.classification, 'classification');
      const known = knownClassifications(obligations.definitions());
      if (!known.includes(classification))
        refuse(
          FailureType.invalid,
          known.length
            ? `classification "${classification}" is unknown to runbook ${state.runbook?.id ?? ''} (known: ${known.join(', ')})`
            : `runbook ${state.runbook?.id ?? ''} has no obligations, so no classification starts one`,
        );
      const already = obligations.activeClassification(classification);
      if (already)
        refuse(FailureType.conflict, `${state.id} was classified ${classification} by ${already.by} at ${already.at}`);
      if (input.awareAt !== undefined) {
        const aware = typeof input.awareAt === 'string' ? Date.parse(input.awareAt) : NaN;
        if (Number.isNaN(aware))
          refuse(FailureType.invalid, `awareAt must be an ISO date-time such as 2026-11-27T09:30:00Z`);
        if (aware > Date.now())
          refuse(FailureType.invalid, `awareAt ${input.awareAt} is in the future: when did you become aware?`);
      }
      requireText(input.reason, 'reason');
    },
    (input) => {
      obligations.classify(input);
      return state;
    },
  );

  handleOnceReady(
    unclassifyUpdate,
    (input) => {
      requireActor(input?.actor);
      incident.requirePermission(classifiers(), input, `withdraw a classification of ${state.id}`);
      const classification = requireText(input.classification, 'classification');
      if (!obligations.activeClassification(classification)) {
        const active = (state.classifications ?? []).filter((c) => !c.withdrawn).map((c) => c.classification);
        refuse(
          FailureType.notFound,
          `${state.id} is not classified ${classification} (classified: ${active.join(', ') || 'none'})`,
        );
      }
      requireText(input.reason, 'reason');
    },
    (input) => {
      obligations.unclassify(input);
      return state;
    },
  );

  handleOnceReady(
    submitObligationUpdate,
    (input) => {
      requireActor(input?.actor);
      const id = requireText(input.obligationId, 'obligationId');
      const clock = obligations.active(id);
      if (!clock) {
        const running = (state.obligations ?? []).filter((o) => o.status !== 'withdrawn').map((o) => o.id);
        refuse(
          FailureType.notFound,
          `${state.id} has no obligation "${id}" (obligations: ${running.join(', ') || 'none'})`,
        );
      }
      incident.requirePermission([...classifiers(), clock.responsible], input, `record a submission of ${clock.id}`);
      const phase = input.phase;
      if (!clock.phases.includes(phase)) refuse(FailureType.invalid, `phase must be one of ${clock.phases.join(', ')}`);
      if (clock.completedAt) refuse(FailureType.conflict, `${clock.id}'s final report went in at ${clock.completedAt}`);
      const last = clock.submissions.at(-1)?.phase;
      if (
        last &&
        (OBLIGATION_PHASES.indexOf(phase) < OBLIGATION_PHASES.indexOf(last) || (phase === last && phase === 'initial'))
      )
        refuse(FailureType.conflict, `${clock.id} is past the ${phase} phase: the last submission was ${last}`);
      requireText(input.reference, 'reference');
      const late = clock.onTime === undefined && Date.now() > Date.parse(clock.dueAt);
      if (late && (typeof input.reasons !== 'string' || !input.reasons.trim()))
        refuse(
          FailureType.invalid,
          `reasons are required: ${clock.regime}'s ${clock.deadline} deadline passed at ${clock.dueAt}, so the submission must give the reasons for the delay`,
        );
    },
    (input) => obligations.submit(input),
  );

  return obligations;
}
