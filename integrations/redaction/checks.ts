// The checks a rule's pattern cannot express; each is linear in the candidate's length.

/** "Basic troubleshooting" is prose; a credential has digits or base64 symbols, or is long and mixed-case. */
export function looksLikeCredential(candidate: string): boolean {
  if (candidate.length < 8) return false;
  return (
    /[\d+/=]/.test(candidate) || (candidate.length >= 16 && /[a-z]/.test(candidate) && /[A-Z]/.test(candidate.slice(1)))
  );
}

/**
 * "Authorization: pending review" is prose. Credentials start with a credential-looking word (`Bearer abc123…`)
 * or are a list of parameters (`Digest username="alice", …`).
 */
export function isAuthorizationCredential(value: string): boolean {
  if (ENV_PLACEHOLDER.test(value)) return false;
  return /^[\w-]{1,32}=/.test(value) || looksLikeCredential(/^[^\s,;]*/.exec(value)?.[0] ?? '');
}

/** A runbook's `${env:NAME}`: where a secret goes once resolved, not the secret (a resolved value is redacted as usual). */
const ENV_PLACEHOLDER = /^\$\{env:[A-Za-z_]\w{0,127}\}\s*$/;

/**
 * A random-looking token: upper case, lower case and digits, changing class between at least 40% of adjacent
 * letters and digits. Random base62 changes class about 62% of the time; words, kebab-case and camelCase
 * identifiers (`INC-7K3QX-checkout-2026`, `ExternalSecretsOperatorV2`) stay under 25%. Hex (git SHAs, trace ids,
 * UUIDs) has no upper case, so it is never matched: an identifier, not a secret; a hex secret is caught only when
 * labelled (`api_key=`).
 */
export function looksRandom(candidate: string): boolean {
  const seen = new Set<CharClass>();
  let pairs = 0;
  let changes = 0;
  let previous: CharClass = 'other';
  for (const char of candidate) {
    const current = classOf(char);
    if (current !== 'other') {
      seen.add(current);
      if (previous !== 'other') {
        pairs++;
        if (current !== previous) changes++;
      }
    }
    previous = current;
  }
  return seen.size === 3 && pairs > 0 && changes / pairs >= 0.4;
}

type CharClass = 'upper' | 'lower' | 'digit' | 'other';

function classOf(char: string): CharClass {
  if (char >= 'A' && char <= 'Z') return 'upper';
  if (char >= 'a' && char <= 'z') return 'lower';
  if (char >= '0' && char <= '9') return 'digit';
  return 'other';
}

const AWS_ACCESS_KEY_ID = /(?:AKIA|ASIA)[0-9A-Z]{16}/;
const AWS_WINDOW = 200;

/** A 40-character AWS secret access key is told from other base64 by an access key id close by, as AWS prints them. */
export function isAwsSecretNearKeyId(candidate: string, text: string, index: number): boolean {
  if (!/[A-Z]/.test(candidate) || !/[a-z]/.test(candidate) || !/[\d/+]/.test(candidate)) return false;
  const around = text.slice(Math.max(0, index - AWS_WINDOW), index + candidate.length + AWS_WINDOW);
  return AWS_ACCESS_KEY_ID.test(around);
}

/**
 * 13 to 19 digits passing the Luhn check. A grouped number may have run into a group after it
 * (`4111 1111 1111 1111 2026`): the longest prefix of whole groups that is a card number is masked.
 */
export function cardLength(candidate: string): number {
  for (let end = candidate.length; end > 0; end = candidate.slice(0, end).search(/[ .-]\d+$/)) {
    const digits = candidate.slice(0, end).replace(/\D/g, '');
    if (digits.length < 13) return 0;
    if (digits.length <= 19 && passesLuhn(digits)) return end;
  }
  return 0;
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

/**
 * ISO 13616: 15 to 34 characters whose rearranged digits (letters as 10..35) are 1 modulo 97. A spaced IBAN
 * may have run into a word after it (`… 1332 EURO`): the longest valid prefix of whole groups is masked.
 */
export function ibanLength(candidate: string): number {
  for (let end = candidate.length; end >= 15; end = candidate.lastIndexOf(' ', end - 1)) {
    if (isIban(candidate.slice(0, end))) return end;
  }
  return 0;
}

function isIban(candidate: string): boolean {
  const compact = candidate.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  let remainder = 0;
  for (const char of compact.slice(4) + compact.slice(0, 4)) {
    const value = Number.parseInt(char, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** A national number is 10 or 11 digits; trailing groups past that (`020 7946 0958 12 items`) are not masked. */
export function nationalPhoneLength(candidate: string): number {
  let end = candidate.length;
  while (end > 0 && digitCount(candidate.slice(0, end)) > 11) {
    end = Math.max(candidate.lastIndexOf(' ', end - 1), candidate.lastIndexOf('-', end - 1));
  }
  return end > 0 && digitCount(candidate.slice(0, end)) >= 10 ? end : 0;
}

export const digitCount = (text: string) => text.replace(/\D/g, '').length;
