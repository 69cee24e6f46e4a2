/**
 * The one redactor everything outward-bound passes through: Slack and other notifications, PagerDuty,
 * tickets, LaunchDarkly change comments. Alert texts and incident descriptions are pasted in by people
 * and tools, so they can carry credentials and personal data; each finding becomes a marker naming its kind.
 */

export type RedactionKind = 'private key' | 'secret' | 'email' | 'card' | 'phone';

interface Rule {
  name: string;
  kind: RedactionKind;
  /**
   * Global. The whole match is masked; context that stays (`Bearer `, `password=`) sits in lookarounds.
   * Runs inside a lookbehind are bounded: it is re-matched at every position, so `[ \t]*` there is
   * quadratic on long whitespace.
   */
  pattern: RegExp;
  /** A check a regular expression cannot express well; a rejected match is left as it is. */
  accept?: (match: string) => boolean;
}

const marker = (kind: RedactionKind) => `[redacted ${kind}]`;

// Order matters: a private key block holds base64 that later rules would only partly catch, tokens can
// contain `@` or digit runs, and an e-mail's or card's digits must not be read as a phone number.
const rules: Rule[] = [
  {
    name: 'PEM private key block',
    kind: 'private key',
    // A block cut off before its END line (truncated alerts) still loses its base64 body.
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[A-Za-z0-9+/=\s]*)/g,
  },
  { name: 'OpenAI / Anthropic key', kind: 'secret', pattern: /\bsk-[A-Za-z0-9_-]{20,}/g },
  {
    name: 'Stripe secret, restricted or webhook key',
    kind: 'secret',
    pattern: /\b(?:(?:sk|rk)_(?:live|test)|whsec)_[A-Za-z0-9]{10,}/g,
  },
  { name: 'AWS access key id', kind: 'secret', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'GitHub token', kind: 'secret', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { name: 'Slack token', kind: 'secret', pattern: /\b(?:xox[abeprs]|xapp)-[A-Za-z0-9-]{10,}/g },
  {
    name: 'Slack webhook path',
    kind: 'secret',
    pattern: /(?<=\bhooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]+/g,
  },
  { name: 'Google API key', kind: 'secret', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { name: 'JWT', kind: 'secret', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  {
    name: 'Bearer / Basic credential',
    kind: 'secret',
    pattern: /(?<=\b(?:bearer|basic)[ \t]{1,8})[A-Za-z0-9._~+/-]+=*/gi,
    accept: looksLikeCredential,
  },
  {
    name: 'URL userinfo password',
    kind: 'secret',
    pattern: /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s/?#@]+(?=@)/gi,
  },
  {
    name: 'credential-named key=value / key: value',
    kind: 'secret',
    // The key must end in the word (`db_password`, `x-api-key`), so `max_tokens: 4096` stays. A value
    // opened by a quote runs to the closing quote; a bare one to whitespace or a separator.
    pattern:
      /(?<=(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)["']?[ \t]{0,8}[:=][ \t]{0,8}["']?)(?!\[redacted |(?:bearer|basic)\s)(?:(?<=")[^"\n]+|(?<=')[^'\n]+|[^\s"'&,;<>]+)/gi,
  },
  {
    name: 'e-mail address',
    kind: 'email',
    pattern: /\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,}\b/g,
  },
  {
    name: 'payment card number',
    kind: 'card',
    // Card numbers start with 2-6 (Mastercard, Amex/Diners/JCB, Visa, Mastercard, Discover/UnionPay),
    // which keeps millisecond timestamps and most ids out before the Luhn check.
    pattern: /\b[2-6](?:\d[ -]?){11,17}\d\b/g,
    accept: isCardNumber,
  },
  {
    name: 'international phone number',
    kind: 'phone',
    // +CC, an optional (area), then digit groups; after the first group they share one separator, so
    // a date following the number is not swallowed.
    pattern: /(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?[ .-]?\d{1,7}([ .-]?)\d{1,7}(?:\1\d{1,7}){0,3}/g,
    accept: (match) => match.replace(/\D/g, '').length >= 8,
  },
  {
    name: 'North American phone number',
    kind: 'phone',
    pattern: /(?<![\w+.-])(?:1[ .-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[-.])[2-9]\d{2}[-.]\d{4}(?![\w-]|\.\d)/g,
  },
];

/** `text` with every secret and personal datum replaced by a marker such as `[redacted email]`. Idempotent. */
export function redact(text: string): string {
  let result = text;
  for (const { kind, pattern, accept } of rules) {
    result = result.replace(pattern, (found) => (accept && !accept(found) ? found : marker(kind)));
  }
  return result;
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

// "Basic troubleshooting" is prose; a credential has digits or base64 symbols, or is long and mixed-case.
function looksLikeCredential(candidate: string): boolean {
  if (candidate.length < 8) return false;
  return (
    /[\d+/=]/.test(candidate) || (candidate.length >= 16 && /[a-z]/.test(candidate) && /[A-Z]/.test(candidate.slice(1)))
  );
}

function isCardNumber(candidate: string): boolean {
  const groups = candidate.split(/[ -]/);
  // Grouped numbers come in blocks of 3 to 6 digits (4-4-4-4, Amex 4-6-5); `20 26 11 27 ...` is not a card.
  if (groups.length > 1 && groups.some((group) => group.length < 3 || group.length > 6)) return false;
  return passesLuhn(groups.join(''));
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}
