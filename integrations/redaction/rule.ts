/** What a finding is masked as: `[redacted <kind>]`. */
export type RedactionKind = 'private key' | 'secret' | 'email' | 'card' | 'phone' | 'ssn' | 'iban';

/**
 * A regular expression and, optionally, a check it cannot express. Patterns are global and must stay linear in
 * the text's length (see redact.ts): every quantifier bounded, and a pattern that reads a run of characters
 * starts only where such a run starts (a lookbehind on the run's own class), so no run is read from each of
 * its positions. The whole match is masked; context that stays (`Bearer `, `password=`) sits in lookarounds.
 * A lookbehind is tried at every position, so a pattern opening with one first checks the character it starts
 * with (`(?=\S)(?<=…)`): most positions then fail at once.
 */
export interface PatternRule {
  name: string;
  kind: RedactionKind;
  pattern: RegExp;
  /**
   * A rejected match is left as it is; a number masks only that many of its first characters (a grouped number
   * that ran into the digits after it). `text` and `index` give the match's surroundings.
   */
  accept?: (match: string, text: string, index: number) => boolean | number;
}

/** A rule that is clearer as a scan than as one pattern; returns `text` with each finding replaced by `marker`. */
export interface ScanRule {
  name: string;
  kind: RedactionKind;
  mask: (text: string, marker: string) => string;
}

export type Rule = PatternRule | ScanRule;

export const marker = (kind: RedactionKind) => `[redacted ${kind}]`;

export function applyRule(text: string, rule: Rule): string {
  const replacement = marker(rule.kind);
  if ('mask' in rule) return rule.mask(text, replacement);
  const { pattern, accept } = rule;
  let result = '';
  let copied = 0;
  pattern.lastIndex = 0;
  for (let found = pattern.exec(text); found; found = pattern.exec(text)) {
    const [match] = found;
    if (match === '') {
      pattern.lastIndex++;
      continue;
    }
    const verdict = accept ? accept(match, text, found.index) : true;
    const length = verdict === true ? match.length : verdict === false ? 0 : verdict;
    if (length === 0) continue;
    result += text.slice(copied, found.index) + replacement;
    copied = found.index + length;
  }
  return copied === 0 ? text : result + text.slice(copied);
}
