// Who may export an incident's audit record: the policy's `exportRecord` (by default the IC and
// group:incident-admins) under the runbook's differences, and the responsible group of any of the
// incident's obligations (they file its reports). Judged against the library as it is now: an export
// is an act of now, by whoever holds those roles now.
import { policyFor, type RunbookLibrary } from '../../runbooks/library.js';
import { describeRoles, holdsRole } from '../../workflows/incident/approvers.js';
import type { IncidentState } from '../../workflows/types.js';
import type { Actor } from '../incident-service.js';

/** Why the actor may not export the incident, naming who may; undefined when they may. */
export function exportRefusal(state: IncidentState, library: RunbookLibrary, who: Actor): string | undefined {
  const runbook = library.runbooks.find((r) => r.runbook.id === state.runbook?.id)?.runbook;
  const policy = runbook ? policyFor(library, runbook) : library.policy;
  const responsible = (state.obligations ?? []).map((o) => o.responsible);
  const refs = [...new Set([...policy.exportRecord, ...responsible])];
  const context = { commander: state.commander, groups: library.groups, stepApprovers: [] };
  if (holdsRole(refs, who.actor, who.memberOf ?? [], context)) return undefined;
  return `${who.actor} may not export ${state.id}: only ${describeRoles(refs)} may`;
}
