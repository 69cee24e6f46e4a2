import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../integrations/log.js';
import { LocalLogNotifier } from '../integrations/notify/local-log.js';
import { repoRoot, tempDir } from './support/paths.js';
import { runCli } from './support/product.js';

const cliJs = join(repoRoot, 'dist', 'app', 'cli', 'incident.js');

describe('incident inbox', () => {
  it('prints the local inbox oldest first, newest last, without terminal control sequences', async () => {
    const dataDir = await tempDir('inbox');
    const inbox = new LocalLogNotifier(join(dataDir, 'notifications.jsonl'), createLogger('error'));
    const env = { DATA_DIR: dataDir, INCIDENT_API_URL: 'http://127.0.0.1:9' };

    const empty = await runCli(['inbox'], env);
    assert.equal(empty.code, 0, empty.stderr);
    assert.match(empty.stdout, /is empty/);

    await inbox.notify({
      incidentId: 'INC-AAAAA',
      audience: ['group:exec'],
      subject: 'Incident declared',
      text: 'first',
    });
    await inbox.notify({
      incidentId: 'INC-BBBBB',
      audience: ['user:dave'],
      subject: 'Reminder',
      text: 'second\n\u001b]0;pwned\u0007line two',
    });
    const all = await runCli(['inbox'], env);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT.* {2}group:exec {2}INC-AAAAA: Incident declared$/);
    assert.equal(lines[1], '    first');
    assert.match(lines[2]!, /user:dave {2}INC-BBBBB: Reminder$/);
    assert.deepEqual(lines.slice(3), ['    second', '    ]0;pwnedline two'], 'the escape and bell are gone');

    const last = await runCli(['inbox', '--limit', '1', '--json'], env);
    assert.deepEqual(
      last.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { incidentId: string }).incidentId),
      ['INC-BBBBB'],
    );
  });

  it('--follow prints what arrives after it started', async () => {
    const dataDir = await tempDir('inbox-follow');
    const inbox = new LocalLogNotifier(join(dataDir, 'notifications.jsonl'), createLogger('error'));
    await inbox.notify({ incidentId: 'INC-AAAAA', audience: ['user:a'], subject: 'Before', text: 'old' });
    const child = spawn(process.execPath, [cliJs, 'inbox', '--follow'], {
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const until = async (what: RegExp) => {
      for (let i = 0; i < 100 && !what.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, what);
    };
    try {
      await until(/INC-AAAAA: Before/);
      await inbox.notify({ incidentId: 'INC-CCCCC', audience: ['user:b'], subject: 'After', text: 'new' });
      await until(/INC-CCCCC: After\n {4}new\n/);
      assert.ok(out.indexOf('Before') < out.indexOf('After'), 'newest last');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, 'stops cleanly on SIGTERM');
  });
});
