import { createHash, randomInt } from 'node:crypto';
import { incidentIdFrom } from '../workflows/incident-id.js';

/** A short, typable incident id such as INC-7K3QX; it is also the workflow id. */
export function newIncidentId(): string {
  return incidentIdFrom(() => randomInt(1 << 30) / (1 << 30));
}

/** The same id for the same key (a Slack modal submitted twice): bytes of its SHA-256 as the randomness. */
export function incidentIdForKey(key: string): string {
  const digest = createHash('sha256').update(key).digest();
  let i = 0;
  return incidentIdFrom(() => digest[i++]! / 256);
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
