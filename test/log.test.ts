import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, type LogFormat } from '../integrations/log.js';

const SECRET = 'sk-live0123456789abcdefghijklmnop';

function capture(format: LogFormat, level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const log = createLogger(level, { format, write: (text) => lines.push(text) });
  return { log, text: () => lines.join('') };
}

describe('logs', () => {
  it('json: a newline in a title cannot forge a line, and secrets in the message and fields are redacted', () => {
    const { log, text } = capture('json');
    const forged = `Jailbreak\n{"level":"error","msg":"forged"}\r\u001b[2K\u009b2J`;
    log.warn(`alert ${forged} with key ${SECRET}`, {
      title: forged,
      nested: { authorization: `Bearer ${SECRET}`, list: [`api_key=${SECRET}`] },
      level: 'error',
      count: 3,
    });
    const lines = text().split('\n');
    assert.equal(lines.length, 2, 'one line and its newline');
    assert.equal(lines[1], '');
    assert.ok(!text().includes(SECRET), 'no secret');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text(), /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, 'no raw control character');
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(record.level, 'warn', "a field named level does not replace the line's");
    assert.equal(record.field_level, 'error');
    assert.equal(record.title, forged, 'the title survives intact, escaped');
    assert.match(String(record.msg), /^alert Jailbreak\n.* with key \[redacted secret\]$/s);
    assert.deepEqual(record.nested, {
      authorization: 'Bearer [redacted secret]',
      list: ['api_key=[redacted secret]'],
    });
    assert.equal(record.count, 3);
    assert.match(String(record.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('pretty: one line too, control characters shown escaped, secrets redacted', () => {
    const { log, text } = capture('pretty');
    log.error(`boom\nFAKE LINE ${SECRET}`, { title: 'a\nb' });
    assert.match(text(), /^\S+ ERROR boom\\nFAKE LINE \[redacted secret\] title=a\\nb\n$/);
  });

  it('below the level nothing is written; errors become their stack', () => {
    const { log, text } = capture('json');
    log.debug('hidden');
    assert.equal(text(), '');
    log.info('failed', { error: new Error(`with ${SECRET}`) });
    const record = JSON.parse(text()) as { error: string };
    assert.match(record.error, /^Error: with \[redacted secret\]\n\s+at /);
  });
});
