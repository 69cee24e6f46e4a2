// Evidence, in the words the approval request shows (Slack, CLI, console). Pure.
import type { ContainmentStep, EvidenceRecord, IncidentState } from '../types.js';

/** The step's latest snapshot, if one was taken. */
export const latestEvidence = (state: IncidentState, stepId: string): EvidenceRecord | undefined =>
  state.evidence?.filter((record) => record.stepId === stepId).at(-1);

/** The snapshot an approved step waits on (required, failed, not overridden), if it waits. */
export function heldForEvidence(state: IncidentState, step: ContainmentStep): EvidenceRecord | undefined {
  const record = latestEvidence(state, step.id);
  return step.status === 'approved' && record?.required && record.status === 'failed' ? record : undefined;
}

/** "evidence captured (sha256 3f9a0c12b4d5…)", or why not, and what the IC may do about it. */
export function describeEvidence(record: EvidenceRecord): string {
  const hash = record.sha256 ? ` (sha256 ${record.sha256.slice(0, 12)}…)` : '';
  const notes = record.items.flatMap((item) =>
    item.kind !== 'source'
      ? []
      : item.error
        ? [`source ${item.name} not read: ${item.error}`]
        : item.truncated
          ? [`source ${item.name} truncated at 1 MiB`]
          : [],
  );
  const extra = notes.length ? `; ${notes.join('; ')}` : '';
  if (record.status === 'captured') return `evidence captured${hash}${extra}`;
  const why = `evidence not captured: ${record.reason ?? 'unknown'}${hash ? `; partial snapshot${hash}` : ''}${extra}`;
  if (record.status === 'overridden' && record.override)
    return `${why}; overridden by ${record.override.by}: ${record.override.reason}`;
  return record.required ? `${why}; the step runs only once captured or the IC overrides` : why;
}
