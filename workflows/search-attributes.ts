import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const IncidentSeverity = defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD);
export const IncidentStatus = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);
export const IncidentCategory = defineSearchAttributeKey('IncidentCategory', SearchAttributeType.KEYWORD);
export const IncidentCommander = defineSearchAttributeKey('IncidentCommander', SearchAttributeType.KEYWORD);

/** Registered on the embedded dev server at start (`--search-attribute`). */
export const incidentSearchAttributes = [IncidentSeverity, IncidentStatus, IncidentCategory, IncidentCommander];
