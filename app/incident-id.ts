import { randomInt } from 'node:crypto';
import { incidentIdFrom } from '../workflows/incident-id.js';

/** A short, typable incident id such as INC-7K3QX; it is also the workflow id. */
export function newIncidentId(): string {
  return incidentIdFrom(() => randomInt(1 << 30) / (1 << 30));
}

export const incidentIdPattern = /^INC-[0-9A-HJKMNP-TV-Z]{5}$/;

/** Accepts what people type (lower case, O for 0, I/L for 1) and returns the canonical id. */
export function normalizeIncidentId(typed: string): string {
  return typed
    .trim()
    .toUpperCase()
    .replace(/^INC-?/, 'INC-')
    .replace(/(?<=^INC-.*)O/g, '0')
    .replace(/(?<=^INC-.*)[IL]/g, '1');
}
