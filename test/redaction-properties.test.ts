import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_REDACTED_CHARS, redact } from '../integrations/redaction/redact.js';

// Property tests: secrets of every kind the redactor names, with random bodies and random text around them,
// never survive; and the time it takes grows linearly with adversarial input.

/** A secret as it appears in text, and the parts of it that must not reach the output. */
interface Sample {
  text: string;
  cores: string[];
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const BASE64 = `${ALNUM}+/`;

const chars = (alphabet: string, minLength: number, maxLength = minLength) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

/** Upper case, lower case and digits, changing class at every character: what a random key looks like. */
const randomLooking = (minLength: number, maxLength = minLength) =>
  fc.array(fc.tuple(fc.nat(), fc.nat(1), fc.nat()), { minLength, maxLength }).map((steps) => {
    const classes = [UPPER, LOWER, DIGITS];
    let current = 0;
    return steps
      .map(([start, turn, pick], i) => {
        current = i === 0 ? start % 3 : (current + 1 + turn) % 3;
        const alphabet = classes[current]!;
        return alphabet[pick % alphabet.length]!;
      })
      .join('');
  });

const digits = (length: number) => chars(DIGITS, length);
const fake = (...parts: string[]) => parts.join(''); // assembled at run time, so secret scanners leave this file be
const prefixed = (prefix: string, body: fc.Arbitrary<string>): fc.Arbitrary<Sample> =>
  body.map((core) => ({ text: prefix + core, cores: [core] }));

function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let digit = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

function ibanCheckDigits(country: string, bban: string): string {
  let remainder = 0;
  for (const char of `${bban}${country}00`) {
    const value = Number.parseInt(char, 36);
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return String(98 - remainder).padStart(2, '0');
}

const pemBody = chars(`${BASE64}\n`, 120, 400).map((body) => `MIIE${body}`);

const samples: Record<string, fc.Arbitrary<Sample>> = {
  'PEM private key': fc
    .tuple(fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', ''), pemBody, fc.boolean(), fc.boolean())
    .map(([label, body, complete, escaped]) => {
      const block = fake(
        '-----BEGIN ',
        label,
        'PRIVATE KEY-----\n',
        body,
        complete ? `\n-----END ${label}PRIVATE KEY-----` : '',
      );
      return { text: escaped ? block.replace(/\n/g, '\\n') : block, cores: [body.slice(0, 24), body.slice(-24)] };
    }),
  'PGP private key block': fc.tuple(pemBody, fc.boolean()).map(([body, complete]) => ({
    text: fake(
      '-----BEGIN PGP ',
      'PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n',
      body,
      complete ? '\n-----END PGP PRIVATE KEY BLOCK-----' : '',
    ),
    cores: [body.slice(0, 24), body.slice(-24)],
  })),
  'OpenAI key': prefixed('sk-proj-', chars(`${ALNUM}_-`, 24, 60)),
  'Stripe key': prefixed(fake('sk', '_live_'), chars(ALNUM, 24)),
  'AWS access key id': prefixed('AKIA', chars(UPPER + DIGITS, 16)),
  'AWS secret key next to its id': fc.tuple(chars(UPPER + DIGITS, 16), randomLooking(38)).map(([id, secret]) => ({
    text: `AKIA${id} ${secret}/+`,
    cores: [id, secret],
  })),
  'GitHub token': prefixed('ghp_', chars(ALNUM, 36)),
  'GitLab token': prefixed('glpat-', chars(`${ALNUM}_-`, 20, 30)),
  'Slack token': fc
    .tuple(fc.constantFrom('xoxb-', 'xoxp-', 'xoxc-', 'xoxd-', 'xoxe.xoxp-', 'xapp-'), chars(`${ALNUM}-`, 20, 60))
    .map(([prefix, core]) => ({ text: prefix + core, cores: [core] })),
  'Hugging Face token': prefixed('hf_', chars(ALNUM, 34)),
  'SendGrid key': fc.tuple(chars(`${ALNUM}_-`, 22), chars(`${ALNUM}_-`, 43)).map(([a, b]) => ({
    text: `SG.${a}.${b}`,
    cores: [a, b],
  })),
  'LaunchDarkly key': fc
    .tuple(fc.constantFrom('api-', 'sdk-', 'mob-'), chars(HEX, 8), chars(HEX, 4), chars(HEX, 4), chars(HEX, 12))
    .map(([prefix, a, b, c, d]) => ({ text: `${prefix}${a}-${b}-${c}-9abc-${d}`, cores: [`${a}-${b}-${c}`, d] })),
  'Google API key': prefixed('AIza', chars(`${ALNUM}_-`, 35)),
  'Google OAuth token': prefixed('ya29.', chars(`${ALNUM}_-`, 40, 120)),
  JWT: fc
    .tuple(chars(`${ALNUM}_-`, 10, 40), chars(`${ALNUM}_-`, 10, 80), chars(`${ALNUM}_-`, 20, 43))
    .map(([header, payload, signature]) => ({
      text: `eyJ${header}.eyJ${payload}.${signature}`,
      cores: [payload, signature],
    })),
  'authorization scheme': fc
    .tuple(
      fc.constantFrom('Bearer', 'Basic', 'Token', 'ApiKey', 'Digest', 'bearer'),
      randomLooking(12, 40),
      fc.boolean(),
    )
    .map(([scheme, core, header]) => ({ text: `${header ? 'Authorization: ' : ''}${scheme} ${core}`, cores: [core] })),
  cookie: fc
    .tuple(fc.constantFrom('Cookie', 'Set-Cookie', 'cookie'), chars(`${ALNUM}%_-`, 8, 40))
    .map(([name, core]) => ({
      text: `${name}: session=${core}; Path=/`,
      cores: [core],
    })),
  'credential-named value': fc
    .tuple(
      fc.constantFrom(
        'password',
        'DB_PASSWORD',
        'passwd',
        'pwd',
        'SECRET_KEY',
        'client_secret',
        'api_key',
        'x-api-key',
        'token',
      ),
      fc.constantFrom('=', ': ', ' = ', ':\n  ', '="', ": '"),
      chars(`${ALNUM}!#$%*@^-`, 6, 24),
    )
    .map(([key, separator, core]) => ({ text: `${key}${separator}${core}`, cores: [core] })),
  'URL password': chars(`${ALNUM}!$%*-`, 6, 24).map((core) => ({
    text: `postgres://app:${core}@db.internal:5432/x`,
    cores: [core],
  })),
  'high-entropy token': randomLooking(24, 64).map((core) => ({ text: core, cores: [core] })),
  'e-mail address': fc
    .tuple(
      chars(`${LOWER}äöüé用户`, 6, 20),
      chars(`${LOWER}ü例`, 3, 12),
      fc.constantFrom('com', 'io', 'de', 'co.uk', '广告'),
      fc.constantFrom('@', '%40'),
    )
    .map(([local, domain, tld, at]) => ({
      text: `${local}.x${at}${domain}.${tld}`,
      cores: [local, `${domain}.${tld}`],
    })),
  'US SSN': fc
    .tuple(fc.integer({ min: 1, max: 899 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 9999 }))
    .filter(([area]) => area !== 666)
    .map(([area, group, serial]) => {
      const ssn = `${String(area).padStart(3, '0')}-${String(group).padStart(2, '0')}-${String(serial).padStart(4, '0')}`;
      return { text: ssn, cores: [ssn] };
    }),
  IBAN: fc
    .tuple(fc.constantFrom('GB', 'DE', 'FR', 'ES', 'NL'), chars(UPPER.slice(0, 6) + DIGITS, 14, 24), fc.boolean())
    .map(([country, bban, spaced]) => {
      const iban = country + ibanCheckDigits(country, bban) + bban;
      return { text: spaced ? iban.replace(/(.{4})(?=.)/g, '$1 ') : iban, cores: [bban.slice(-10)] };
    }),
  'card number': fc
    .tuple(
      fc.constantFrom('4', '51', '37', '6011'),
      digits(14),
      fc.constantFrom('', ' ', '-', '.'),
      fc.constantFrom('', '_', '='),
    )
    .map(([prefix, rest, separator, before]) => {
      const card = luhnComplete((prefix + rest).slice(0, 15));
      const text = separator ? card.replace(/(\d{4})(?=\d)/g, `$1${separator}`) : card;
      return { text: `${before}${text}`, cores: [text.slice(0, 9), text.slice(-9)] };
    }),
  'phone number': fc.tuple(digits(3), digits(4), fc.nat(3)).map(([a, b, format]) => {
    const phone = [`+44 20 ${b} ${a}9`, `(415) 5${a.slice(1)}-${b}`, `020 7${a} ${b}`, `+1-415-5${a.slice(1)}-${b}`][
      format
    ]!;
    return { text: phone, cores: [phone.slice(-8)] };
  }),
};

/** Random text on either side, kept apart from the secret by a separator a person or a log would use. */
const surrounding = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
const separator = fc.constantFrom(' ', '\n', '\t', ' (', ': ', ', ', ' "');

describe('redact, property: no secret survives', () => {
  for (const [kind, sample] of Object.entries(samples)) {
    it(`masks every ${kind}`, () => {
      fc.assert(
        fc.property(
          surrounding,
          separator,
          sample,
          separator,
          surrounding,
          (before, open, { text, cores }, close, after) => {
            const output = redact(before + open + text + close + after);
            for (const core of cores) {
              if (!(before + after).includes(core))
                assert.ok(!output.includes(core), `${JSON.stringify(core)} survived in ${JSON.stringify(output)}`);
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('masks secrets cut short by the 64 KB cap or just before it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_REDACTED_CHARS - 80, max: MAX_REDACTED_CHARS + 10 }),
        randomLooking(30, 40),
        (at, key) => {
          const output = redact(`${'x '.repeat(at / 2)}sk-${key} and more`);
          assert.ok(!output.includes(key.slice(0, 10)) && !output.includes(key.slice(-10)));
        },
      ),
      { numRuns: 60 },
    );
  });
});

/**
 * CPU time of the fastest of a few repeats: CPU rather than wall time, so another process on the machine slows
 * neither measurement, and the fastest, so a collection or a context switch in one run does not count.
 */
function cpuMs(text: string): number {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const started = process.cpuUsage();
    for (let i = 0; i < 3; i++) redact(text);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 3_000);
  }
  return best;
}

describe('redact, property: time linear in the input', () => {
  /** Inputs that made the old rules quadratic, and their neighbours. */
  const adversarial: Record<string, (length: number) => string> = {
    'eyJ- runs': (n) => 'eyJ-'.repeat(n / 4),
    'JWT-like segments': (n) => 'eyJaaaaa.'.repeat(n / 9),
    'PEM BEGIN lines without END': (n) => '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(n / 32),
    '-----BEGIN repeats': (n) => '-----BEGIN '.repeat(n / 11),
    'a@ runs': (n) => 'a@'.repeat(n / 2),
    'e-mail-like dotted domains': (n) => `x@${'a.'.repeat(100)}`.repeat(n / 202),
    'digit runs': (n) => '4'.repeat(n),
    'grouped digits': (n) => '4111 '.repeat(n / 5),
    whitespace: (n) => ' \t'.repeat(n / 2),
    'password=" runs': (n) => 'password="'.repeat(n / 10),
    'Authorization headers': (n) => 'Authorization: Bearer '.repeat(n / 22),
    'URL userinfo colons': (n) => 'x://u:'.repeat(n / 6),
    'base64 runs': (n) => 'aB3+'.repeat(n / 4),
  };
  const n = 16 * 1024;

  for (const [what, make] of Object.entries(adversarial)) {
    it(`on ${what}: 4x the input costs well under 16x the time`, () => {
      redact(make(n)); // warm up the compiled patterns
      const small = cpuMs(make(n));
      const large = cpuMs(make(4 * n));
      // Linear is 4x; quadratic 16x. 10x leaves room for noise on a loaded machine. Below a millisecond for 64 KB
      // the ratio is noise, and the case is fast anyway.
      assert.ok(
        large < 1 || large / small < 10,
        `${small.toFixed(2)} ms for ${n}, ${large.toFixed(2)} ms for ${4 * n}`,
      );
    });
  }

  it('costs no more on a 1 MB field than on the 64 KB it redacts', () => {
    const capped = cpuMs('eyJ-'.repeat(MAX_REDACTED_CHARS / 4));
    const huge = cpuMs('eyJ-'.repeat(250_000));
    assert.ok(huge < 4 * capped + 5, `${capped.toFixed(2)} ms for 64 KB, ${huge.toFixed(2)} ms for 1 MB`);
  });
});
