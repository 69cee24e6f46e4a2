// The embedded stores read what changed, not the whole file per call (issue 20): an inbox of many
// thousands of notifications and a tracker of 10,000 tickets stay cheap, and still see every append
// or edit made by another process or by hand.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFile, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { JsonFile } from '../integrations/local-store/json-file.js';
import { JsonLinesLog } from '../integrations/local-store/json-lines-log.js';
import { createLogger } from '../integrations/log.js';
import { LocalLogNotifier } from '../integrations/notify/local-log.js';
import { LocalFileTicketProvider } from '../integrations/ticketing/local-file.js';
import type { TicketRequest } from '../integrations/ticketing/provider.js';
import { tempDir } from './support/paths.js';

const line = (n: number) => JSON.stringify({ n }) + '\n';

describe('JsonLinesLog', () => {
  it('parses only what was appended since the last read, by this process or another', async () => {
    const path = join(await tempDir('jsonl'), 'log.jsonl');
    const parsed: number[] = [];
    const log = new JsonLinesLog<{ n: number }, number>(path, (r) => (parsed.push(r.n), r.n));
    assert.deepEqual(await log.read(), [], 'no file yet');
    await writeFile(path, line(1) + line(2));
    assert.deepEqual(await log.read(), [1, 2]);
    await appendFile(path, line(3));
    assert.deepEqual(await log.read(), [1, 2, 3]);
    assert.deepEqual(await log.read(), [1, 2, 3]);
    assert.deepEqual(parsed, [1, 2, 3], 'each line parsed once');
  });

  it('leaves a line still being written for the next read', async () => {
    const path = join(await tempDir('jsonl'), 'log.jsonl');
    const log = new JsonLinesLog<{ n: number }, number>(path, (r) => r.n);
    await writeFile(path, line(1) + '{"n":');
    assert.deepEqual(await log.read(), [1]);
    await appendFile(path, '2}\n');
    assert.deepEqual(await log.read(), [1, 2]);
  });

  it('reads a file that was replaced or truncated again from the start', async () => {
    const dir = await tempDir('jsonl');
    const path = join(dir, 'log.jsonl');
    const log = new JsonLinesLog<{ n: number }, number>(path, (r) => r.n);
    await writeFile(path, line(1) + line(2) + line(3));
    assert.deepEqual(await log.read(), [1, 2, 3]);
    await writeFile(join(dir, 'new.jsonl'), line(7) + line(8) + line(9) + line(10));
    await rename(join(dir, 'new.jsonl'), path);
    assert.deepEqual(await log.read(), [7, 8, 9, 10], 'replaced (another inode)');
    await writeFile(path, line(4));
    assert.deepEqual(await log.read(), [4], 'truncated in place');
  });

  it('names the file and the line that is not JSON, and skips nothing after it is fixed', async () => {
    const path = join(await tempDir('jsonl'), 'log.jsonl');
    const log = new JsonLinesLog<{ n: number }, number>(path, (r) => r.n);
    await writeFile(path, line(1) + 'not json\n' + line(3));
    await assert.rejects(log.read(), (err: Error) => err.message.includes(path) && err.message.includes('not json'));
    await assert.rejects(log.read(), /not valid JSON/, 'still refused: the bad line is not skipped');
    await writeFile(path, line(1) + line(2) + line(3));
    assert.deepEqual(await log.read(), [1, 2, 3]);
  });
});

describe('local notification inbox at size', () => {
  it('deduplicates against an inbox another process appended to since the last send', async () => {
    const path = join(await tempDir('inbox'), 'notifications.jsonl');
    const notifier = new LocalLogNotifier(path, createLogger('error'));
    const message = { incidentId: 'INC-AAAAA', audience: ['user:dave'], subject: 's', text: 't' };
    await notifier.notify({ ...message, idempotencyKey: 'k1' });
    await appendFile(path, JSON.stringify({ ...message, at: new Date().toISOString(), idempotencyKey: 'k2' }) + '\n');
    assert.match((await notifier.notify({ ...message, idempotencyKey: 'k2' })).delivered, /already delivered/);
    assert.match((await notifier.notify({ ...message, idempotencyKey: 'k1' })).delivered, /already delivered/);
    const keys = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { idempotencyKey: string }).idempotencyKey);
    assert.deepEqual(keys, ['k1', 'k2']);
  });
});

describe('JsonFile with keepParsed', () => {
  it('serves the document it wrote without parsing, and sees an edit made by hand', async () => {
    const path = join(await tempDir('json'), 'doc.json');
    const file = new JsonFile<{ v: number }>(path, { keepParsed: true });
    const written = { v: 1 };
    await file.write(written);
    assert.equal(await file.read(), written, 'the kept document, not a parse of the file');
    await writeFile(path, JSON.stringify({ v: 2 }));
    assert.deepEqual(await file.read(), { v: 2 }, 'edited by hand: read afresh');
    await writeFile(path, JSON.stringify({ v: 3 }));
    assert.deepEqual(await file.read(), { v: 3 }, 'same size, another mtime or inode: read afresh');
  });

  it('keeps 10,000 tickets consistent across another provider closing one in the same file', async () => {
    const path = join(await tempDir('tickets'), 'tickets.json');
    const tracker = new LocalFileTicketProvider(path);
    const request = (i: number): TicketRequest => ({
      externalId: `INC-${i}/A1`,
      incidentId: `INC-${i}`,
      title: `action ${i}`,
      body: 'b',
      kind: 'prevent',
      severity: 'P2',
      owner: 'o',
      dueAt: '2026-12-31T00:00:00.000Z',
      labels: [],
    });
    await new JsonFile(path).write({
      next: 10_001,
      tickets: Array.from({ length: 10_000 }, (_, i) => ({
        ...request(i),
        key: `LOCAL-${i + 1}`,
        createdAt: '2026-12-01T00:00:00.000Z',
        closed: false,
      })),
    });
    const first = await tracker.open(request(10_000));
    assert.equal(first.key, 'LOCAL-10001');
    const other = new LocalFileTicketProvider(path); // the CLI, or a second process
    await other.close('LOCAL-5', 'someone');
    assert.equal((await tracker.status({ provider: 'local', key: 'LOCAL-5', url: '' })).closed, true);
    const again = await tracker.open(request(10_001));
    assert.equal(again.key, 'LOCAL-10002');
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as { tickets: { key: string; closed: boolean }[] };
    assert.equal(onDisk.tickets.length, 10_002);
    assert.equal(
      onDisk.tickets.find((t) => t.key === 'LOCAL-5')?.closed,
      true,
      "the other's close was not overwritten",
    );
  });

  it('loses no ticket when two processes open tickets in one file at once', { timeout: 60_000 }, async () => {
    const path = join(await tempDir('tickets'), 'tickets.json');
    const provider = new URL('../integrations/ticketing/local-file.js', import.meta.url).href;
    const opener = (name: string) =>
      new Promise<void>((resolve, reject) => {
        const script = `
          const { LocalFileTicketProvider } = await import(${JSON.stringify(provider)});
          const tracker = new LocalFileTicketProvider(${JSON.stringify(path)});
          await Promise.all(Array.from({ length: 60 }, (_, i) => tracker.open({
            externalId: '${name}-' + i, incidentId: '${name}', title: 't', body: 'b', kind: 'prevent',
            severity: 'P2', owner: 'o', dueAt: '2026-12-31T00:00:00.000Z', labels: [],
          })));`;
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited ${code}`))));
      });
    await Promise.all([opener('api'), opener('worker')]);
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as { next: number; tickets: { key: string }[] };
    assert.equal(onDisk.tickets.length, 120, 'every ticket either process opened is in the file');
    assert.equal(new Set(onDisk.tickets.map((t) => t.key)).size, 120, 'no key given twice');
    assert.equal(onDisk.next, 121);
    await assert.rejects(stat(`${path}.lock`), { code: 'ENOENT' }, 'the lock is released');
  });

  it('takes over a lock left by a process that is gone, and waits for one that is alive', async () => {
    const path = join(await tempDir('json'), 'doc.json');
    const file = new JsonFile<{ v: number }>(path);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await writeFile(`${path}.lock`, gone);
    await file.exclusive(() => file.write({ v: 1 }));
    assert.deepEqual(await file.read(), { v: 1 }, "written although a dead process's lock was there");

    // Held by a live process: this one.
    await writesOnlyOnceReleased(file, String(process.pid), { v: 2 }, 'waits while the holder lives');
  });

  it('waits for a lock held on another host (a container sharing the volume), whatever its pid', async () => {
    const path = join(await tempDir('json'), 'doc.json');
    const file = new JsonFile<{ v: number }>(path);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    // No such pid here, alive there.
    await writesOnlyOnceReleased(
      file,
      `${gone}@another-container#0a1b2c`,
      { v: 1 },
      "a pid of another host is not looked up among this host's processes",
    );
  });

  it('releases only its own lock: one taken over from it stays with the new holder', async () => {
    const path = join(await tempDir('json'), 'doc.json');
    const file = new JsonFile<{ v: number }>(path);
    const other = `${process.pid}@${hostname()}#another-holder`;
    await file.exclusive(async () => {
      await writeFile(`${path}.lock`, other); // taken over meanwhile, as a stale lock would be
    });
    assert.equal(await readFile(`${path}.lock`, 'utf8'), other, "the other holder's lock was left in place");
  });
});

/** With `holder` in the lock, a write waits (200 ms at least) and goes through once the lock is removed. */
async function writesOnlyOnceReleased(
  file: JsonFile<{ v: number }>,
  holder: string,
  value: { v: number },
  why: string,
) {
  await writeFile(`${file.path}.lock`, holder);
  let written = false;
  const waiting = file.exclusive(async () => {
    await file.write(value);
    written = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(written, false, why);
  await unlink(`${file.path}.lock`);
  await waiting;
  assert.deepEqual(await file.read(), value);
}
