// Secrets and personal data the redactor must mask, each [what, input, expected redaction]: the
// redactor's unit tests and the end-to-end check that none reaches a sink share them.
// Credentials are assembled at run time so that secret scanners do not flag this file.
export const fake = (...parts: string[]) => parts.join('');

const pemBody =
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n';
const escaped = (text: string) => text.replace(/\n/g, '\\n');
const pem = (label: string) => fake('-----BEGIN ', label, ' KEY-----\n', pemBody, '-----END ', label, ' KEY-----');

/** [what, input, expected] */
export const masked: [string, string, string][] = [
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
  [
    'private key with JSON newline escapes',
    fake(
      '{"key":"-----BEGIN RSA ',
      'PRIVATE KEY-----\\n',
      escaped(pemBody),
      '-----END RSA ',
      'PRIVATE KEY-----\\n","id":7}',
    ),
    '{"key":"[redacted private key]\\n","id":7}',
  ],
  [
    'truncated private key with JSON newline escapes',
    fake('{"key":"-----BEGIN ', 'PRIVATE KEY-----\\n', escaped(pemBody).slice(0, 90)),
    '{"key":"[redacted private key]',
  ],
  [
    'truncated encrypted private key with its headers',
    fake(
      '-----BEGIN RSA ',
      'PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\n',
      pemBody.slice(0, 70),
    ),
    '[redacted private key]',
  ],
  [
    'PGP private key block',
    fake(
      '-----BEGIN PGP ',
      'PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n',
      pemBody,
      '=nE4D\n-----END PGP ',
      'PRIVATE KEY BLOCK-----',
    ),
    '[redacted private key]',
  ],
  [
    'truncated PGP private key block',
    fake('gpg: -----BEGIN PGP ', 'PRIVATE KEY BLOCK-----\n\n', pemBody.slice(0, 80)),
    'gpg: [redacted private key]',
  ],
  [
    'truncated PGP private key block cut just before punctuation (found by the property test)',
    fake('gpg: -----BEGIN PGP ', 'PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n', pemBody.slice(0, 60), ': failed'),
    'gpg: [redacted private key]: failed',
  ],
  [
    'truncated private key with JSON newline escapes, the string closed after it',
    fake('{"key":"-----BEGIN ', 'PRIVATE KEY-----\\n', escaped(pemBody.slice(0, 70)), '","id":7}'),
    '{"key":"[redacted private key]","id":7}',
  ],
  [
    'truncated private key, a token on the next line',
    fake(
      '-----BEGIN ',
      'PRIVATE KEY-----\n',
      pemBody.slice(0, 70),
      '\nxox',
      'b-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    ),
    '[redacted private key][redacted secret]',
  ],
  [
    'Slack browser and cookie tokens',
    fake('xox', 'c-1234567890-1234567890123-abcdef0123456789 xox', 'd-AbC%2FdEf0123456789abcdef'),
    '[redacted secret] [redacted secret]',
  ],
  ['Slack refresh token', fake('xoxe.', 'xoxp-1-Mi0yLTEyMzQ1Njc4OTAtMTIzNDU2'), '[redacted secret]'],
  ['Hugging Face token', fake('HF_TOKEN hf', '_AbCdEfGhIjKlMnOpQrStUvWxYz01234567'), 'HF_TOKEN [redacted secret]'],
  ['GitLab token', fake('glpat', '-xYz0123AbC4567dEf8901'), '[redacted secret]'],
  [
    'SendGrid key',
    fake('SG', '.ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr'),
    '[redacted secret]',
  ],
  [
    'LaunchDarkly keys',
    fake(
      'sdk',
      '-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b api',
      '-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b mob',
      '-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    ),
    '[redacted secret] [redacted secret] [redacted secret]',
  ],
  ['Google OAuth token', fake('ya', '29.a0AfH6SMBx3kJ9Lm2Np4Qr6St8Uv0Wx2Yz'), '[redacted secret]'],
  [
    'bare AWS secret next to its key id',
    fake('creds AKIA', 'IOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG', '/bPxRfiCYEXAMPLEKEY'),
    'creds [redacted secret] [redacted secret]',
  ],
  ['SECRET_KEY=', fake('SECRET_KEY=', 'django-insecure-xyz'), 'SECRET_KEY=[redacted secret]'],
  ['pwd=', fake('mysql -u app pwd=', 'hunter2'), 'mysql -u app pwd=[redacted secret]'],
  [
    'password on the next line',
    fake('password:\n  ', 'hunter2\nuser: bob'),
    'password:\n  [redacted secret]\nuser: bob',
  ],
  ['Token scheme', fake('Authorization: Token ', 'abcdef0123456789'), 'Authorization: Token [redacted secret]'],
  [
    'Digest credentials',
    fake('Authorization: Digest username="alice", nonce="dcd98b", response="6629fae4', '9393a05397450978507c4ef1"'),
    'Authorization: Digest [redacted secret]',
  ],
  [
    'ApiKey scheme in a JSON header',
    fake('{"Authorization":"ApiKey ', 'QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}'),
    '{"Authorization":"ApiKey [redacted secret]"}',
  ],
  ['Cookie header', fake('Cookie: session=', 'abc123; theme=dark\nHost: x'), 'Cookie: [redacted secret]\nHost: x'],
  ['Set-Cookie header', fake('Set-Cookie: sid=', '31d4d96e407aad42; Path=/; Secure'), 'Set-Cookie: [redacted secret]'],
  [
    'high-entropy token',
    fake('leaked x8Yq2Zk4Lm6N', 'p8Rt0Vw2Xy4Za6Bc8De0 in logs'),
    'leaked [redacted secret] in logs',
  ],
  ['IDN e-mail', 'from jörg.müller@bücher.de and 用户@例子.广告 ok', 'from [redacted email] and [redacted email] ok'],
  ['percent-encoded e-mail', 'GET /users?email=alice%40example.com&x=1', 'GET /users?email=[redacted email]&x=1'],
  ['US SSN', 'ssn on file 123-45-6789.', 'ssn on file [redacted ssn].'],
  ['labelled SSN without dashes', 'SSN: 123456789', 'SSN: [redacted ssn]'],
  ['IBAN', 'pay GB82 WEST 1234 5698 7654 32 or DE89370400440532013000.', 'pay [redacted iban] or [redacted iban].'],
  ['UK national phone', 'call 020 7946 0958 or 07700 900123', 'call [redacted phone] or [redacted phone]'],
  ['French national phone', 'tél. 01 23 45 67 89', 'tél. [redacted phone]'],
  ['card with dots', 'card 4111.1111.1111.1111 declined', 'card [redacted card] declined'],
  ['card after an underscore', 'card_4111111111111111', 'card_[redacted card]'],
  ['card followed by a number', 'card 4111 1111 1111 1111 2026 3 times', 'card [redacted card] 2026 3 times'],
  ['IBAN followed by a word in capitals', 'IBAN ES91 2100 0418 4502 0005 1332 EURO', 'IBAN [redacted iban] EURO'],
  ['national phone followed by a number', 'call 020 7946 0958 12 times', 'call [redacted phone] 12 times'],
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

/**
 * What of a sample must never reach a sink: the part of its input that its redaction replaces (between
 * the prefix and suffix both share), and each longer word of that part.
 */
export function rawSecrets([, input, expected]: [string, string, string]): string[] {
  let head = 0;
  while (head < input.length && input[head] === expected[head]) head++;
  let tail = 0;
  while (tail < input.length - head && input.at(-1 - tail) === expected.at(-1 - tail)) tail++;
  const replaced = input.slice(head, input.length - tail);
  // Longer words with a digit in them, or long ones: not the `Version:` of a PGP armor header.
  const words = replaced
    .split(/[\s,;()]+/)
    .filter((w) => (w.length >= 8 && /\d/.test(w)) || w.length >= 16)
    .filter((w) => !expected.includes(w));
  return [...new Set([replaced, ...words])].filter((w) => w.length >= 6);
}
