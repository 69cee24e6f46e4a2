// Crockford's alphabet: no I, L, O or U, so an id read aloud on a bridge call is typed right.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A short, typable incident id such as INC-7K3QX; it is also the workflow id. `random` is in [0, 1). */
export function incidentIdFrom(random: () => number): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return `INC-${suffix}`;
}
