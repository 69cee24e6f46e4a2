import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redact, redactDeep } from '../integrations/redaction/redact.js';

// Credentials are assembled at run time so that secret scanners do not flag this file.
const fake = (...parts: string[]) => parts.join('');

const pemBody =
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n';
const pem = (label: string) => fake('-----BEGIN ', label, ' KEY-----\n', pemBody, '-----END ', label, ' KEY-----');

/** [what, input, expected] */
const masked: [string, string, string][] = [
  ['e-mail', 'Reported by alice.smith+oncall@example.com.', 'Reported by [redacted email].'],
  [
    'e-mail, subdomain',
    'cc bob_o-neil@mail.corp.example.co.uk, carol@example.io',
    'cc [redacted email], [redacted email]',
  ],
  [
    'OpenAI project key',
    fake('OPENAI_KEY is sk-', 'proj-', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQ7 leaked'),
    'OPENAI_KEY is [redacted secret] leaked',
  ],
  ['OpenAI legacy key', fake('key sk-', '4eC39HqLyjWDarjtT1zdp7dc4eC39HqLyjWDarjtT1zdp7dc'), 'key [redacted secret]'],
  ['Anthropic key', fake('sk-', 'ant-api03-', 'x8Yq2Zk4Lm6Np8Rt0Vw2Xy4Za6Bc8De0Fg2Hi4-Jk6Lm8AA'), '[redacted secret]'],
  ['Stripe live key', fake('stripe: sk_', 'live_', '51H7xYzAbCdEfGhIjKlMnOpQr'), 'stripe: [redacted secret]'],
  ['Stripe restricted key', fake('rk_', 'live_', '51H7xYzAbCdEfGhIjKlMnOpQr'), '[redacted secret]'],
  ['Stripe test key', fake('(sk_', 'test_', '4eC39HqLyjWDarjtT1zdp7dc)'), '([redacted secret])'],
  ['AWS access key id', fake('id AKIA', 'IOSFODNN7EXAMPLE in logs'), 'id [redacted secret] in logs'],
  ['AWS temporary key id', fake('ASIA', 'Y34FZKBOKMUTVV7A'), '[redacted secret]'],
  ['GitHub classic token', fake('gh', 'p_', 'R2d9XkPq7LmN4vBt8WsY3zAe6HcJ1uFg5KoQ'), '[redacted secret]'],
  ['GitHub app token', fake('token is gh', 's_', '16C7e42F292c6912E7710c838347Ae178B4a'), 'token is [redacted secret]'],
  [
    'GitHub fine-grained token',
    fake('github_', 'pat_', '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'),
    '[redacted secret]',
  ],
  ['Slack bot token', fake('xox', 'b-', '1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'), '[redacted secret]'],
  [
    'Slack user token',
    fake('xox', 'p-', '1234567890-1234567890123-1234567890123-0123456789abcdef'),
    '[redacted secret]',
  ],
  ['Slack app token', fake('xa', 'pp-', '1-A0123456789-1234567890123-abcdef0123456789'), '[redacted secret]'],
  [
    'Slack webhook',
    fake('posted to https://hooks.slack.com/services/', 'T0ABC1234/B0DEF5678/', 'xYz0123AbC4567dEf8901gHiJ'),
    'posted to https://hooks.slack.com/services/[redacted secret]',
  ],
  ['Google API key', fake('AIza', 'SyA-9tXk2Lm4Np6Rq8Sv0Uw2Yx4Za6Bc8De'), '[redacted secret]'],
  [
    'JWT',
    fake(
      'session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
      '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFsaWNlIn0',
      '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c ok',
    ),
    'session [redacted secret] ok',
  ],
  ['Bearer token', fake('Authorization: Bearer ', 'abc123DEF456ghi789JKL'), 'Authorization: Bearer [redacted secret]'],
  [
    'Basic credential',
    fake('Authorization: Basic ', 'YWxhZGRpbjpvcGVuc2VzYW1l'),
    'Authorization: Basic [redacted secret]',
  ],
  ['password=', fake('login failed password=', 'hunter2 for svc'), 'login failed password=[redacted secret] for svc'],
  [
    'quoted password with spaces',
    fake('DB_PASSWORD: "correct horse ', 'battery staple"'),
    'DB_PASSWORD: "[redacted secret]"',
  ],
  [
    'JSON client secret',
    fake('{"client_secret":"s3cr3t', '-value","client_id":"abc"}'),
    '{"client_secret":"[redacted secret]","client_id":"abc"}',
  ],
  ['query token', fake('GET /cb?access_token=', 'abc123xyz&page=2'), 'GET /cb?access_token=[redacted secret]&page=2'],
  ['api key header', fake('x-api-key: ', '0123abcd9876'), 'x-api-key: [redacted secret]'],
  ['apikey', fake("apiKey='", "q1w2e3r4'"), "apiKey='[redacted secret]'"],
  [
    'AWS secret access key',
    fake('aws_secret_access_key = ', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
    'aws_secret_access_key = [redacted secret]',
  ],
  ['passwd', fake('passwd:', 'letmein'), 'passwd:[redacted secret]'],
  [
    'URL userinfo',
    fake('db at postgres://app:', 'Pa55w0rd@db.internal:5432/prod'),
    'db at postgres://app:[redacted secret]@db.internal:5432/prod',
  ],
  [
    'https userinfo',
    fake('https://deploy:', 'tok3n@git.example.com/repo.git'),
    'https://deploy:[redacted secret]@git.example.com/repo.git',
  ],
  ['RSA private key', `before\n${pem('RSA PRIVATE')}\nafter`, 'before\n[redacted private key]\nafter'],
  ['PKCS#8 private key', `key: ${pem('PRIVATE')}`, 'key: [redacted private key]'],
  ['OpenSSH private key', pem('OPENSSH PRIVATE'), '[redacted private key]'],
  [
    'truncated private key',
    fake('-----BEGIN EC ', 'PRIVATE KEY-----\n', pemBody, '...(truncated)'),
    '[redacted private key]...(truncated)',
  ],
  ['UK phone', 'Call +44 20 7946 0958 now', 'Call [redacted phone] now'],
  ['US phone, international', 'call +1-415-555-0132.', 'call [redacted phone].'],
  ['US phone, international with area code in parentheses', 'call +1 (415) 555-0132', 'call [redacted phone]'],
  ['E.164 phone', 'sms to +14155550132', 'sms to [redacted phone]'],
  ['phone followed by a date', 'call +1-415-555-0132 2026-11-27', 'call [redacted phone] 2026-11-27'],
  ['NA phone, parentheses', 'on-call (415) 555-0132', 'on-call [redacted phone]'],
  ['NA phone, dashes', 'phone: 415-555-0132,', 'phone: [redacted phone],'],
  ['NA phone, dots', 'mobile 415.555.0132.', 'mobile [redacted phone].'],
  ['NA phone, toll-free with 1', '1-800-555-0199', '[redacted phone]'],
  ['Visa, spaced', 'card 4111 1111 1111 1111 declined', 'card [redacted card] declined'],
  ['Mastercard, dashed', 'card 5555-5555-5555-4444', 'card [redacted card]'],
  ['Visa, plain', 'pan=4242424242424242', 'pan=[redacted card]'],
  ['Amex', 'amex 378282246310005 and 3782 822463 10005', 'amex [redacted card] and [redacted card]'],
  [
    'mixed',
    'alice@example.com paged +44 20 7946 0958 re card 4111111111111111',
    '[redacted email] paged [redacted phone] re card [redacted card]',
  ],
];

const ordinary = [
  'Workflow: http://127.0.0.1:8233/namespaces/default/workflows/INC-7K3QX',
  'See http://localhost:3000/incidents/INC-7K3QX?tab=timeline#step-4 and https://example.com:8443/path',
  'Posted in #inc-7k3qx-checkout-latency and #incidents',
  'Flag agent-tools.send-email.enabled turned off for user:alice and group:eng-managers',
  'Rolled back to model-2026-10-01 at 2026-11-27T09:00:00Z (started 2026-11-27 08:41, +01:00 offset 2026-11-27T09:00:00+01:00)',
  'Temporal SDK 1.24.0, node v20.11.1, p99 1500 ms for 45m (PT15M, 1h30m, 90s), retried 3 times in 2 of 12 regions',
  'Usage: max_tokens: 4096, input_tokens=1532, token_budget: 20000, passwords rotated: 3',
  'Basic troubleshooting done; Bearer tokens are rotated nightly',
  'Order 4111111111111112 failed (not a card: Luhn fails); ts 1764230400000; epoch 1764230400',
  'Host 10.0.0.12:443, trace 4bf92f3577b34da6a3ce929d0e0e4736, request 123e4567-e89b-12d3-a456-426614174000',
  'Incident INC-7K3QX is SEV-2; error rate 12.5% (5xx 503/504), 250 users affected, budget +2.5%, scores +2 10 15',
  'Task sk-learning-rate tuned; ask-me-anything-2026 channel',
];

describe('redact', () => {
  for (const [what, input, expected] of masked) {
    it(`masks ${what}`, () => assert.equal(redact(input), expected));
  }

  it('leaves ordinary incident text exactly as it is', () => {
    for (const text of ordinary) assert.equal(redact(text), text);
  });

  it('leaves random 16-digit ids that fail the Luhn check', () => {
    assert.equal(redact('id 4111 1111 1111 1112'), 'id 4111 1111 1111 1112');
    assert.equal(redact('id 5234567890123456'), 'id 5234567890123456');
  });

  it('does not read runs of small numbers as a card even when their digits pass Luhn', () => {
    for (const text of ['buckets 5 10 20 30 40 50 60 8', 'at 2026 11 27 10 00 00']) assert.equal(redact(text), text);
  });

  it('stays linear on long whitespace (lookbehinds are bounded)', () => {
    const started = performance.now();
    redact(`${' '.repeat(50_000)}token`);
    redact(`Bearer${'\t'.repeat(50_000)}x`);
    assert.ok(performance.now() - started < 1_000, 'redact is quadratic on long whitespace');
  });

  it('is idempotent', () => {
    for (const text of [
      ...masked.map(([, input]) => input),
      ...ordinary,
      masked.map(([, input]) => input).join('\n'),
    ]) {
      const once = redact(text);
      assert.equal(redact(once), once, `not idempotent on ${JSON.stringify(text)}`);
    }
  });

  it('handles the empty string and text without findings cheaply', () => {
    assert.equal(redact(''), '');
    const long = 'all quiet. '.repeat(20_000);
    assert.equal(redact(long), long);
  });
});

describe('redactDeep', () => {
  it('redacts every string in nested objects and arrays, keeping keys and non-strings', () => {
    const when = new Date('2026-11-27T09:00:00Z');
    const input = {
      incidentId: 'INC-7K3QX',
      summary: 'Paged alice@example.com',
      severity: 2,
      resolved: false,
      owner: null,
      missing: undefined,
      when,
      tags: ['checkout', 'call +1-415-555-0132', 3, ['nested 4111 1111 1111 1111']],
      details: { 'bob@example.com': { notes: [{ text: fake('password=', 'hunter2'), count: 7 }] } },
    };
    const before = structuredClone(input);

    const output = redactDeep(input);

    assert.deepEqual(output, {
      incidentId: 'INC-7K3QX',
      summary: 'Paged [redacted email]',
      severity: 2,
      resolved: false,
      owner: null,
      missing: undefined,
      when,
      tags: ['checkout', 'call [redacted phone]', 3, ['nested [redacted card]']],
      details: { 'bob@example.com': { notes: [{ text: 'password=[redacted secret]', count: 7 }] } },
    });
    assert.deepEqual(input, before, 'input was mutated');
    assert.notEqual(output, input);
    assert.notEqual(output.tags, input.tags);
    assert.notEqual(output.details, input.details);
    assert.equal(output.when, when);
  });

  it('redacts a bare string and passes other top-level values through', () => {
    assert.equal(redactDeep('mail carol@example.com'), 'mail [redacted email]');
    assert.equal(redactDeep(42), 42);
    assert.equal(redactDeep(null), null);
    assert.equal(redactDeep(undefined), undefined);
    assert.deepEqual(redactDeep(['a@b.io', true]), ['[redacted email]', true]);
  });
});
