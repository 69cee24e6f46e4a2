import { randomInt } from 'node:crypto';

// Crockford's alphabet: no I, L, O or U, so an id read aloud on a bridge call is typed right.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short, typable incident id such as INC-7K3QX; it is also the workflow id. */
export function newIncidentId(): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `INC-${suffix}`;
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
