/**
 * The one redactor everything outward-bound passes through: Slack and other notifications, PagerDuty,
 * tickets, LaunchDarkly change comments. Alert texts and incident descriptions are pasted in by people
 * and tools, so they can carry credentials and personal data; each finding becomes a marker naming its kind.
 *
 * Linear time, because anyone who can raise an alert chooses its text: each rule is one pass whose patterns
 * have bounded quantifiers and start only at the start of a run (rule.ts), and at most MAX_REDACTED_CHARS of a
 * field are redacted and sent (cap.ts). `npm run bench:redact` measures it on adversarial inputs.
 */
import { capField, withTruncation } from './cap.js';
import { personalData } from './personal-data-rules.js';
import { privateKeyBlocks } from './private-key.js';
import { applyRule, type Rule } from './rule.js';
import { labelledSecrets, prefixedTokens } from './secret-rules.js';

export type { RedactionKind } from './rule.js';
export { MAX_REDACTED_CHARS } from './cap.js';

// Order matters: a private key block holds base64 that later rules would only partly catch, and labelled
// values and personal data come after the tokens they could otherwise cut in two.
const rules: Rule[] = [privateKeyBlocks, ...prefixedTokens, ...labelledSecrets, ...personalData];

/**
 * `text` with every secret and personal datum replaced by a marker such as `[redacted email]`, cut to
 * MAX_REDACTED_CHARS with a `[truncated N characters]` marker. Idempotent.
 */
export function redact(text: string): string {
  const { head, cut } = capField(text);
  let result = head;
  for (const rule of rules) result = applyRule(result, rule);
  return withTruncation(result, cut);
}

/**
 * A copy of `value` with every string in it redacted, through plain objects and arrays at any depth.
 * Keys stay as they are; other values (numbers, dates, class instances) are passed through untouched.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item)) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item)])) as T;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
