import { cardLength, digitCount, ibanLength, nationalPhoneLength } from './checks.js';
import type { PatternRule } from './rule.js';

// After the secrets: tokens can contain `@` or digit runs. The e-mail comes before the numbers so that its digits
// are not read as a phone number, and the card before the phones.
export const personalData: PatternRule[] = [
  {
    name: 'e-mail address',
    kind: 'email',
    // Unicode local parts and domains (IDN), punycode TLDs, and `%40` for `@` in URLs and logs of them.
    pattern:
      /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}(?:@|%40)(?:[\p{L}\p{N}-]{1,63}\.){1,8}(?:\p{L}{2,24}|xn--[a-z0-9-]{1,59})(?![\p{L}\p{N}-])/gu,
  },
  {
    name: 'IBAN',
    kind: 'iban',
    pattern: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g,
    accept: ibanLength,
  },
  {
    name: 'payment card number',
    kind: 'card',
    // Card numbers start with 2-6 (Mastercard, Amex/Diners/JCB, Visa, Mastercard, Discover/UnionPay), which
    // keeps millisecond timestamps and most ids out before the Luhn check. Grouped numbers share one separator
    // and come in blocks of 3 to 6 digits (4-4-4-4, Amex 4-6-5), so `20 26 11 27 …` is not one. `_` may precede
    // one (`card_4111…`); a `.` may not (`0.4242…` is a number).
    pattern: /(?<![\dA-Za-z.,-])[2-6]\d{2,5}(?:([ .-])\d{3,6}(?:\1\d{3,6}){1,4}|\d{9,15})(?![\dA-Za-z]|[.,-]\d)/g,
    accept: cardLength,
  },
  {
    name: 'US social security number',
    kind: 'ssn',
    // Area 000, 666 and 900-999, group 00 and serial 0000 are never issued.
    pattern: /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])/g,
  },
  {
    name: 'labelled US social security number without dashes',
    kind: 'ssn',
    pattern: /(?=\d)(?<=\bssn["']?[ \t]{0,8}[:=#]?[ \t]{0,8})(?!000|666|9)\d{9}(?!\d)/gi,
  },
  {
    name: 'international phone number',
    kind: 'phone',
    // +CC, an optional (area), then digit groups; after the first group they share one separator, so
    // a date following the number is not swallowed.
    pattern: /(?<![\w+])\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?[ .-]?\d{1,7}([ .-]?)\d{1,7}(?:\1\d{1,7}){0,3}/g,
    accept: (match) => digitCount(match) >= 8,
  },
  {
    name: 'North American phone number',
    kind: 'phone',
    pattern: /(?<![\w+.-])(?:1[ .-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[-.])[2-9]\d{2}[-.]\d{4}(?![\w-]|\.\d)/g,
  },
  {
    name: 'national phone number with a trunk 0',
    kind: 'phone',
    // `020 7946 0958`, `07700 900123`, `01 23 45 67 89`: 10 or 11 digits in groups.
    pattern: /(?<![\w+.:-])0\d{1,4}(?:[ -]\d{2,6}){1,4}(?![\w-]|[.:]\d)/g,
    accept: nationalPhoneLength,
  },
];
