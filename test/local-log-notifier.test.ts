import assert from 'node:assert/strict';
import { appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../integrations/log.js';
import { LocalLogNotifier } from '../integrations/notify/local-log.js';
import { tempDir } from './support/paths.js';

const message = {
  incidentId: 'INC-AAAAA',
  audience: ['user:dave'],
  subject: 'Corrective action due in 3d: x',
  text: '- INC-AAAAA A1 "x": due in 3d',
};

describe('local notification inbox', () => {
  it('appends each notification once per idempotency key, so a retried send after a crash is not delivered twice', async () => {
    const notifier = new LocalLogNotifier(
      join(await tempDir('notify'), 'inbox', 'notifications.jsonl'),
      createLogger('error'),
    );
    assert.deepEqual(await notifier.sent(), []);
    await notifier.notify({ ...message, idempotencyKey: 'reminders-user:dave/2026-12-01' });
    const retried = await notifier.notify({ ...message, idempotencyKey: 'reminders-user:dave/2026-12-01' });
    assert.match(retried.delivered, /already delivered/);
    await notifier.notify({ ...message, idempotencyKey: 'reminders-user:dave/2026-12-02' });
    await Promise.all([notifier.notify(message), notifier.notify(message)]);
    const sent = await notifier.sent();
    assert.deepEqual(
      sent.map((n) => n.idempotencyKey),
      ['reminders-user:dave/2026-12-01', 'reminders-user:dave/2026-12-02', undefined, undefined],
      'without a key nothing is deduplicated',
    );
    assert.ok(sent.every((n) => !Number.isNaN(Date.parse(n.at))));
  });

  it('knows keys another process appended, and forgets the keys of an inbox that was deleted', async () => {
    const path = join(await tempDir('notify'), 'notifications.jsonl');
    const notifier = new LocalLogNotifier(path, createLogger('error'));
    await notifier.notify({ ...message, idempotencyKey: 'first' });
    await appendFile(
      path,
      JSON.stringify({ ...message, at: new Date().toISOString(), idempotencyKey: 'other' }) + '\n',
    );
    assert.match((await notifier.notify({ ...message, idempotencyKey: 'other' })).delivered, /already delivered/);
    assert.match((await notifier.notify({ ...message, idempotencyKey: 'first' })).delivered, /already delivered/);

    await rm(path);
    assert.doesNotMatch((await notifier.notify({ ...message, idempotencyKey: 'first' })).delivered, /already/);
    assert.match((await notifier.notify({ ...message, idempotencyKey: 'first' })).delivered, /already delivered/);
    assert.deepEqual(
      (await notifier.sent()).map((n) => n.idempotencyKey),
      ['first'],
      'a new inbox holds the one delivery since',
    );
  });
});
