import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const IncidentSeverity = defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD);
export const IncidentStatus = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);
export const IncidentCategory = defineSearchAttributeKey('IncidentCategory', SearchAttributeType.KEYWORD);
export const IncidentCommander = defineSearchAttributeKey('IncidentCommander', SearchAttributeType.KEYWORD);

/** Registered on the embedded dev server at start (`--search-attribute`). */
export const incidentSearchAttributes = [IncidentSeverity, IncidentStatus, IncidentCategory, IncidentCommander];

/** How every incident workflow starts, from the API or from an alert intake: its id names one incident forever. */
export function incidentStartOptions(input: {
  id: string;
  title: string;
  severity: string;
  category: string;
  commander: string;
  fingerprint?: string;
  alertGroup?: string;
}) {
  return {
    workflowId: input.id,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    // Set at start too, so a list taken a moment after the declaration already shows them.
    // An alert group's incident carries its group, so a retried start knows the incident is its own.
    memo: {
      title: input.title,
      ...(input.alertGroup ? { alertGroup: input.alertGroup, fingerprint: input.fingerprint } : {}),
    },
    typedSearchAttributes: [
      { key: IncidentSeverity, value: input.severity },
      { key: IncidentStatus, value: 'declared' },
      { key: IncidentCategory, value: input.category },
      { key: IncidentCommander, value: input.commander },
    ],
  };
}
