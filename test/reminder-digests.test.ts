import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IncidentService } from '../app/incident-service.js';
import { createLogger } from '../integrations/log.js';
import { installTemporalRuntime } from '../app/temporal/runtime.js';
import { createLocalWorker, startTimeSkipping } from '../app/time-skipping.js';
import { LocalFileFlagProvider } from '../integrations/flags/local-file.js';
import { LocalLogNotifier } from '../integrations/notify/local-log.js';
import { LocalFileTicketProvider } from '../integrations/ticketing/local-file.js';
import { localDate, nextLocalTime } from '../runbooks/local-time.js';
import { RunbookSource } from '../runbooks/source.js';
import { repoRoot, tempDir } from './support/paths.js';
import { copyLibrary } from './support/stakeholder-library.js';
import { withTimeSkipping } from './support/time-skipping.js';

installTemporalRuntime('ERROR');

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 09:00 UTC (the default digest time) on the day of `instant`. */
const digestOn = (instant: number) => {
  const day = new Date(instant);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9, 0);
};
const isoDay = (instant: number) => new Date(instant).toISOString().slice(0, 10);

describe('reminder digests', { concurrency: 1 }, () => {
  it('one message per owner per day across incidents, and none for an action that ended before it went out', () =>
    withTimeSkipping(async ({ env, service, notifier }) => {
      const start = await env.currentTimeMs();
      const due = isoDay(start + 10 * DAY);
      const first = (
        await service.declare({
          title: 'Jailbreak regression',
          category: 'jailbreak',
          severity: 'P2',
          declaredBy: 'alice',
        })
      ).id;
      const second = (
        await service.declare({
          title: 'Index poisoned',
          category: 'retrieval-poisoning',
          severity: 'P2',
          declaredBy: 'bob',
        })
      ).id;
      await service.addAction(
        first,
        { kind: 'detect', title: 'Jailbreak eval in CI', owner: 'dave', dueAt: due },
        'alice',
      );
      await service.addAction(
        second,
        { kind: 'prevent', title: 'Signed index builds', owner: 'dave', dueAt: due },
        'bob',
      );
      await service.addAction(
        second,
        { kind: 'prevent', title: 'Provenance checks', owner: 'erin', dueAt: due },
        'bob',
      );

      const dueDay = Date.parse(`${due}T00:00:00Z`);
      await env.sleep(digestOn(dueDay + DAY) + 30 * MINUTE - start); // the day after the due date, 09:30
      const toDave = (await notifier.sent()).filter((n) => n.audience.join() === 'user:dave');
      // The key names the digest's day (workflow time); `at` is the worker's wall clock.
      const dayOf = (n: { idempotencyKey?: string }) => n.idempotencyKey!.split('/')[1];
      assert.deepEqual(
        toDave.map(dayOf),
        [-3, -1, 0, 1].map((days) => isoDay(dueDay + days * DAY)),
        'one message a day: 3 and 1 days before, on the day, the day after',
      );
      for (const message of toDave) {
        assert.equal(message.subject, '2 corrective actions need attention');
        assert.match(message.text, new RegExp(`${first} A1 "Jailbreak eval in CI" \\(LOCAL-\\d\\)`));
        assert.match(message.text, new RegExp(`${second} A1 "Signed index builds"`));
        assert.doesNotMatch(message.text, /Provenance checks/, "erin's action is in erin's digest");
      }
      assert.equal((await notifier.sent()).filter((n) => n.audience.join() === 'user:erin').length, 4);

      await service.closeAction(first, 'A1', 'dave');
      await env.sleep(DAY);
      const nextDay = (await notifier.sent()).filter((n) => n.audience.join() === 'user:dave').at(-1)!;
      assert.equal(dayOf(nextDay), isoDay(dueDay + 2 * DAY));
      assert.equal(
        nextDay.subject,
        'Corrective action overdue by 33h: Signed index builds',
        'the closed action is gone from the digest',
      );

      // 09:00:30: the reminder is queued, the digest goes out at 09:01. Closing now withdraws it.
      await env.sleep(digestOn(dueDay + 3 * DAY) + 30_000 - (await env.currentTimeMs()));
      await service.closeAction(second, 'A1', 'dave');
      await env.sleep(HOUR);
      const last = (await notifier.sent()).filter((n) => n.audience.join() === 'user:dave').at(-1)!;
      assert.equal(dayOf(last), isoDay(dueDay + 2 * DAY), 'no message on the day its only action closed');
      const incident = await service.get(second);
      assert.equal(incident.actions[0]!.reminders, 5, 'reminded on the days of the five digests that went out');
    }));

  it("at 09:00 on the recipient's own clock, across a DST change; at 09:01 UTC for someone with no time zone", () =>
    withTimeSkipping(
      async ({ env, service }) => {
        const NEW_YORK = 'America/New_York'; // sam's time zone in runbooks/directory.yaml; dave has none
        const start = await env.currentTimeMs();
        // The first day whose 09:00 in New York is at another UTC hour than today's: the clocks changed.
        // Counted from 00:00 UTC (evening in New York), whose next 09:00 there is on the same date at any
        // time of day the test starts: from `start` itself, a start in the hour the clocks move (13:xx
        // UTC) found the change a day late.
        const today = Date.parse(`${isoDay(start)}T00:00:00Z`);
        const utcHourOf9 = (day: number) => new Date(nextLocalTime(today + day * DAY, NEW_YORK, '09:00')).getUTCHours();
        let change = 5;
        while (utcHourOf9(change) === utcHourOf9(4)) change++;
        const changeDay = Date.parse(
          `${localDate(nextLocalTime(today + change * DAY, NEW_YORK, '09:00'), NEW_YORK)}T00:00:00Z`,
        );
        // Due the day before: reminders 3 and 1 days before and on the day on the old offset, overdue ones on the new.
        const due = isoDay(changeDay - DAY);
        const { id } = await service.declare({
          title: 'Eval gap',
          category: 'jailbreak',
          severity: 'P2',
          declaredBy: 'alice',
        });
        await service.addAction(
          id,
          { kind: 'detect', title: 'Nightly jailbreak eval', owner: 'sam', dueAt: due },
          'alice',
        );
        await service.addAction(
          id,
          { kind: 'prevent', title: 'Refusal classifier', owner: 'dave', dueAt: due },
          'alice',
        );
        await service.resolve(id, 'alice', 'classifier tightened');
        await env.sleep(changeDay + DAY + 20 * HOUR - start); // the day after the change, 20:00 UTC

        // When each digest went out, on the workflows' clock: the action records it as soon as the digest reports back.
        const sentAt = async (recipient: string) =>
          (await service.get(id)).timeline
            .filter((e) => e.type === 'action.reminded' && e.message.endsWith(`told ${recipient}`))
            .map((e) => Date.parse(e.at));
        const toSam = await sentAt('user:sam');
        const expected = [-3, -1, 0, 1, 2].map((d) =>
          nextLocalTime(Date.parse(`${due}T00:00:00Z`) + d * DAY, NEW_YORK, '09:00'),
        );
        assert.equal(toSam.length, 5, `one digest a day: ${toSam.map((t) => new Date(t).toISOString()).join(', ')}`);
        toSam.forEach((at, i) => {
          // Sam's own reminders are queued at 09:00 New York too, so the digest gathers them until 09:01.
          const late = at - expected[i]!;
          assert.ok(
            late >= 0 && late < 2 * MINUTE,
            `digest ${i} at ${new Date(at).toISOString()}, not 09:00 New York (${new Date(expected[i]!).toISOString()})`,
          );
        });
        const hours = toSam.map((t) => new Date(t).getUTCHours());
        assert.deepEqual(hours.slice(0, 3), [hours[0], hours[0], hours[0]]);
        assert.deepEqual(hours.slice(3), [
          hours[0]! + (utcHourOf9(change) - utcHourOf9(4)),
          hours[0]! + (utcHourOf9(change) - utcHourOf9(4)),
        ]);
        assert.notEqual(hours[0], hours[3], 'the UTC hour moved with the clocks');

        const toDave = await sentAt('user:dave');
        assert.equal(toDave.length, 5);
        for (const at of toDave)
          assert.equal(new Date(at).toISOString().slice(11, 16), '09:01', 'UTC, once the reminders are in');
      },
      { directory: true },
    ));

  it("an action's reminders at 09:00 on its owner's clock: Tokyo, Auckland (the previous UTC day), New York", async () => {
    const library = await copyLibrary(await tempDir('owner-zones'));
    const directoryFile = join(library, 'directory.yaml');
    await writeFile(
      directoryFile,
      (await readFile(directoryFile, 'utf8')).replace(
        'people:\n',
        'people:\n  - { id: kenji, timezone: Asia/Tokyo }\n  - { id: aroha, timezone: Pacific/Auckland }\n',
      ),
    );
    await withTimeSkipping(
      async ({ env, service }) => {
        const start = await env.currentTimeMs();
        const due = isoDay(start + 10 * DAY);
        const { id } = await service.declare({
          title: 'Eval gap',
          category: 'jailbreak',
          severity: 'P2',
          declaredBy: 'alice',
        });
        const owners = { kenji: 'Asia/Tokyo', aroha: 'Pacific/Auckland', sam: 'America/New_York' };
        for (const owner of Object.keys(owners))
          await service.addAction(id, { kind: 'detect', title: `Eval for ${owner}`, owner, dueAt: due }, 'alice');
        const dueAt = Date.parse(`${due}T23:59:59.999Z`); // a due date ends at midnight UTC
        await env.sleep(dueAt + 22 * HOUR - start);

        const timeline = (await service.get(id)).timeline;
        /** 09:00 on `day` (YYYY-MM-DD) of `zone`'s calendar. */
        const nineOn = (day: string, zone: string) => {
          let t = nextLocalTime(Date.parse(`${day}T00:00:00Z`) - 2 * DAY, zone, '09:00');
          while (localDate(t, zone) < day) t = nextLocalTime(t, zone, '09:00');
          return t;
        };
        const dueDay = (days: number) => isoDay(Date.parse(`${due}T12:00:00Z`) + days * DAY);
        // 3 and 1 days before the due instant, at it, and the first morning after it, on their own calendar:
        // the due instant is 08:59 the next morning in Tokyo and 12:59 the next afternoon in Auckland.
        const localDays = { kenji: [-3, -1, 0, 1], aroha: [-2, 0, 1, 2], sam: [-3, -1, 0, 1] };
        for (const [owner, zone] of Object.entries(owners) as [keyof typeof owners, string][]) {
          const reminded = timeline.filter(
            (e) => e.type === 'action.reminded' && e.message.endsWith(`told user:${owner}`),
          );
          const scheduled = reminded.map((e) => Date.parse(String(e.data?.scheduledFor)));
          assert.deepEqual(
            scheduled.map((t) => new Date(t).toISOString()),
            localDays[owner].map((d) => new Date(nineOn(dueDay(d), zone)).toISOString()),
            `${owner}'s reminders at 09:00 ${zone}`,
          );
          assert.ok(
            scheduled.slice(0, 3).every((t) => t < dueAt),
            `${owner}: every reminder up to the due one comes before the due instant`,
          );
          for (const e of reminded) {
            const late = Date.parse(e.at) - Date.parse(String(e.data?.scheduledFor));
            assert.ok(late >= 0 && late < 2 * MINUTE, `${e.message} went out at ${e.at}, its digest's 09:01`);
          }
        }
        const auckland = timeline
          .filter((e) => e.message.endsWith('told user:aroha'))
          .map((e) => Date.parse(String(e.data?.scheduledFor)));
        assert.ok(
          auckland.every((t) => isoDay(t) < localDate(t, 'Pacific/Auckland')),
          'in Auckland 09:00 is the previous UTC day',
        );
      },
      { runbooksDir: library, directory: true },
    );
  });

  it('a worker killed between the reminder timer firing and the message going out: delivered once, not lost', async () => {
    const dataDir = await tempDir('incident-kill');
    const runbooks = new RunbookSource(join(repoRoot, 'runbooks'));
    await runbooks.requireValid();
    const flags = new LocalFileFlagProvider(join(dataDir, 'flags.json'));
    await flags.ensureExists();
    const tickets = new LocalFileTicketProvider(join(dataDir, 'tickets.json'));
    const notifier = new LocalLogNotifier(join(dataDir, 'notifications.jsonl'), createLogger('error'));
    const taskQueue = 'kill';
    const env = await startTimeSkipping();
    let worker: ChildProcess | undefined;
    try {
      const service = new IncidentService(env.client, { taskQueue, runbooks, tickets });
      const start = await env.currentTimeMs();
      const due = isoDay(start + 4 * DAY);
      // No sticky cache: once this worker stops, its workflows' next tasks go to whichever worker polls.
      const setup = await createLocalWorker(
        env,
        { taskQueue, flags, runbooks, tickets, notifier },
        { maxCachedWorkflows: 0 },
      );
      const id = await setup.runUntil(async () => {
        const { id } = await service.declare({
          title: 'Tool misuse',
          category: 'excessive-agency',
          severity: 'P2',
          declaredBy: 'alice',
        });
        await service.addAction(
          id,
          { kind: 'prevent', title: 'Per-tool allow-lists', owner: 'dave', dueAt: due },
          'alice',
        );
        await service.resolve(id, 'alice', 'tools off');
        while (!(await service.get(id)).actions[0]!.ticket) await new Promise((r) => setTimeout(r, 50));
        // Until the action waits for its first reminder: the owner's time zone is an activity before it.
        const waiting = async () =>
          (await env.client.workflow.getHandle(`${id}-A1`).fetchHistory()).events?.some(
            (e) => e.timerStartedEventAttributes,
          ) ?? false;
        while (!(await waiting())) await new Promise((r) => setTimeout(r, 50));
        return id;
      });

      // Only a workflow worker now, in a process of its own: the timer fires, the reminder is scheduled, nothing runs it.
      const script = fileURLToPath(new URL('./support/workflow-only-worker.js', import.meta.url));
      const workflowsOnly = spawn(process.execPath, [script, env.address, env.namespace ?? 'default', taskQueue], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      worker = workflowsOnly;
      await once(workflowsOnly.stdout, 'data');
      const reminderAt = digestOn(Date.parse(`${due}T00:00:00Z`) - 3 * DAY);
      await env.sleep(reminderAt + 10_000 - start);
      const action = env.client.workflow.getHandle(`${id}-A1`);
      const scheduled = async () =>
        (await action.fetchHistory()).events?.some(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'queueReminder',
        ) ?? false;
      for (let i = 0; i < 200 && !(await scheduled()); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(
        await scheduled(),
        `the reminder timer fired and the reminder was scheduled: ${(await action.fetchHistory()).events?.map((e) => e.eventType).join(' ')}`,
      );
      workflowsOnly.kill('SIGKILL');
      await once(workflowsOnly, 'exit');
      assert.deepEqual(await notifier.sent(), [], 'not sent before the kill');

      const replacement = await createLocalWorker(env, { taskQueue, flags, runbooks, tickets, notifier });
      await replacement.runUntil(async () => {
        for (let i = 0; i < 10 && (await notifier.sent()).length === 0; i++) await env.sleep(MINUTE);
        await env.sleep(HOUR);
        const sent = await notifier.sent();
        assert.equal(sent.length, 1, 'exactly one message');
        assert.deepEqual(sent[0]!.audience, ['user:dave']);
        assert.match(
          sent[0]!.subject,
          /Corrective action due in 3\.\d+d: Per-tool allow-lists|Corrective action due in \d+(\.\d)?d: Per-tool allow-lists/,
        );
        const reminded = (await service.get(id)).timeline.filter((e) => e.type === 'action.reminded');
        assert.equal(reminded.length, 1, 'recorded once on the incident');
        assert.equal(reminded[0]!.data?.scheduledFor, new Date(reminderAt).toISOString());
      });
    } finally {
      worker?.kill('SIGKILL'); // a failed assertion must not leave it holding the test process open
      await env.teardown();
    }
  });
});
