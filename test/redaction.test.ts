import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_REDACTED_CHARS, redact, redactDeep } from '../integrations/redaction/redact.js';
import { fake, masked } from './support/secret-samples.js';

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
  'Deployed 9fceb02d0ae598e95dc970b74767f19372d61af8 (ExternalSecretsOperatorV2Controller, INC-7K3QX-checkout-2026)',
  'Score 0.4242424242424242, ratio 0.123456789012345; Authorization: pending review; tokens 020 in 3 regions',
  'Build dist/app/temporal/build-workflow-bundle.js and /namespaces/default/workflows/INC-7K3QX/history',
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

  it("leaves a runbook's ${env:NAME} placeholders, and still masks what they resolve to", () => {
    const placeholders = [
      'Authorization: Bearer ${env:RUNBOOK_SECRET_TRACES_TOKEN}',
      'headers: { x-api-key: ${env:RUNBOOK_SECRET_LOGS_KEY} }',
      'token: "${env:RUNBOOK_SECRET_A}"',
    ];
    for (const text of placeholders) assert.equal(redact(text), text);
    const secret = fake('sk-', 'proj-', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQ7');
    assert.equal(redact(`Authorization: Bearer ${secret}`), 'Authorization: Bearer [redacted secret]');
    assert.equal(redact('token: ${env:A}tail-after-it'), 'token: [redacted secret]', 'only the whole placeholder');
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

  it('handles the empty string and text without findings', () => {
    assert.equal(redact(''), '');
    const long = 'all quiet. '.repeat(5_000);
    assert.ok(redact(long) === long, 'ordinary text under the cap changed');
  });
});

describe('redact, on a field over the cap', () => {
  const truncation = /^([\s\S]*) \[truncated (\d+) characters\]$/;
  const parts = (output: string) => {
    const found = truncation.exec(output);
    assert.ok(found, `no truncation marker at the end of …${output.slice(-60)}`);
    return { head: found[1]!, cut: Number(found[2]) };
  };

  it(`redacts the first ${MAX_REDACTED_CHARS} characters and says how many more were cut`, () => {
    const text = 'all quiet. '.repeat(20_000);
    const { head, cut } = parts(redact(text));
    assert.ok(head.length <= MAX_REDACTED_CHARS && head.length > MAX_REDACTED_CHARS - 1_024, `head ${head.length}`);
    assert.ok(text.startsWith(head));
    assert.equal(cut, text.length - head.length);
  });

  it('drops a secret that straddles the cap, and everything after it', () => {
    const key = fake('sk-', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zQ7');
    const before = 'x '.repeat((MAX_REDACTED_CHARS - 10) / 2);
    const output = redact(`${before}${key} and alice@example.com`);
    assert.ok(!output.includes('Ab3dEf'), 'the first characters of the key were sent');
    assert.ok(!output.includes('alice'));
    const { head, cut } = parts(output);
    assert.ok(cut >= key.length + ' and alice@example.com'.length);
    assert.equal(head.length + cut, before.length + key.length + ' and alice@example.com'.length);
  });

  it('keeps the redacted text under the cap when markers are longer than what they mask', () => {
    const output = redact('a@b.io '.repeat(12_000));
    const { head } = parts(output);
    assert.ok(head.length <= MAX_REDACTED_CHARS);
    assert.match(head, /^(?:\[redacted email\] )*\[redacted email\]$/);
  });

  it('is idempotent on a truncated field', () => {
    for (const text of ['all quiet. '.repeat(20_000), 'a@b.io '.repeat(12_000), `${'y'.repeat(70_000)}`]) {
      const once = redact(text);
      assert.ok(redact(once) === once, 'a second pass changed a truncated field');
    }
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
