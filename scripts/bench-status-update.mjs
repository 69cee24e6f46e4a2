#!/usr/bin/env node
// Measures what issue 19 names: a status update → delivered to 5 channels (e-mail over SMTP, Slack, Teams,
// a Standard Webhooks receiver, the local inbox), p50/p99, on the embedded product (`npm start`) with the
// contract fakes on 127.0.0.1; and, for one group of 200 stakeholders reached by e-mail, the time from
// the update to the last delivery. "Delivered" is when the fake (or the inbox file) has the message.
// Usage: npm run bench:updates [-- updates=40 big=3]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, postJson, sleep } from './bench-support.mjs';
import { startSmtpInbox } from '../dist/test/support/smtp-inbox.js';
import { startSlackFake } from '../dist/test/support/slack-fake.js';
import { startTeamsFake } from '../dist/test/support/teams-fake.js';
import { startWebhookReceiver } from '../dist/test/support/webhook-receiver.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const UPDATES = Number(args.updates ?? 40);
const BIG_RUNS = Number(args.big ?? 3);
const STAKEHOLDERS = 200;
const root = fileURLToPath(new URL('..', import.meta.url));

const [smtp, slack, teams, hook] = await Promise.all([
  startSmtpInbox(),
  startSlackFake(),
  startTeamsFake(),
  startWebhookReceiver(),
]);
slack.addChannel({ id: 'C0BENCH', name: 'bench-stakeholders' });

// The runbook library with three groups: one with four channels, one with none (the local inbox), and
// 200 people reached by e-mail. P1 tells the first two, P2 the 200.
const dataDir = mkdtempSync(join(tmpdir(), 'bench-updates-'));
const runbooksDir = join(dataDir, 'runbooks');
cpSync(join(root, 'runbooks'), runbooksDir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
const generic = join(runbooksDir, 'generic.yaml');
writeFileSync(
  generic,
  readFileSync(generic, 'utf8')
    .replace(/ {2}P1: \{ notify: \[[^\]]*\]/, '  P1: { notify: [bench-all, bench-local]')
    .replace(/\nnotifications:\n/, '\nnotifications:\n  P2: { notify: [bench-200] }\n'),
);
const people = Array.from({ length: STAKEHOLDERS }, (_, i) => `s${String(i).padStart(3, '0')}`);
const groupsFile = join(runbooksDir, 'groups.yaml');
writeFileSync(
  groupsFile,
  readFileSync(groupsFile, 'utf8').replace('groups:\n', `groups:\n  bench-200: [${people.join(', ')}]\n`),
);
writeFileSync(
  join(runbooksDir, 'directory.yaml'),
  `people:
  - { id: alice, email: alice@example.com }
${people.map((p) => `  - { id: ${p}, email: ${p}@example.com }`).join('\n')}
groups:
  bench-all:
    channels:
      - { kind: email, to: [stakeholders@example.com] }
      - { kind: slack, channel: C0BENCH }
      - { kind: teams, urlFrom: env:BENCH_TEAMS_URL }
      - { kind: webhook, urlFrom: env:BENCH_HOOK_URL, secretFrom: env:BENCH_HOOK_SECRET }
  bench-200:
    channels:
      - { kind: email }
`,
);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const child = spawn('npm', ['start', '--silent'], {
  cwd: root,
  detached: true,
  stdio: ['ignore', 'ignore', 'pipe'],
  env: {
    ...process.env,
    DATA_DIR: dataDir,
    RUNBOOKS_DIR: runbooksDir,
    PORT: String(port),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
    LOG_LEVEL: 'error',
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Incidents <incidents@example.com>',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: 'bench-signing-secret-0123456789',
    SLACK_API_URL: slack.apiUrl,
    BENCH_TEAMS_URL: teams.url,
    BENCH_HOOK_URL: hook.url,
    BENCH_HOOK_SECRET: hook.secret,
  },
});
let stderr = '';
child.stderr.on('data', (d) => (stderr += d));
const stop = async () => {
  const pid = child.pid;
  if (pid === undefined) return;
  const group = -pid;
  try {
    process.kill(group, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(group, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  process.kill(group, 'SIGKILL');
};

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const post = (path, body) => postJson(agent, `${base}${path}`, body);
const until = async (what, check, timeoutMs = 60_000) => {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
};
const inboxFile = join(dataDir, 'notifications.jsonl');
const localHas = (marker) => {
  try {
    return readFileSync(inboxFile, 'utf8').includes(marker);
  } catch {
    return false;
  }
};
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const ms = (n) => `${n.toFixed(0)} ms`;

try {
  const started = performance.now();
  while (
    (await fetch(`${base}/healthz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (performance.now() - started > 90_000) throw new Error(`not healthy:\n${stderr}`);
    await sleep(100);
  }

  // 1. Five channels, one update at a time.
  const declared = await post('/api/incidents', {
    title: 'bench: five channels',
    category: 'other',
    severity: 'P1',
    declaredBy: 'alice',
  });
  if (declared.status !== 201) throw new Error(JSON.stringify(declared.body));
  const id = declared.body.id;
  await until('the declaration on every channel', () => hook.deliveries.length >= 1 && teams.cards.length >= 1);
  const channels = {
    email: (m) => smtp.messages.some((x) => x.body.includes(m)),
    slack: (m) => slack.messages('C0BENCH').some((x) => (x.text ?? '').includes(m)),
    teams: (m) => teams.cards.some((c) => JSON.stringify(c).includes(m)),
    webhook: (m) => hook.deliveries.some((d) => JSON.stringify(d.payload).includes(m)),
    local: (m) => localHas(m),
  };
  const all = [];
  const perChannel = Object.fromEntries(Object.keys(channels).map((c) => [c, []]));
  for (let n = 1; n <= UPDATES; n++) {
    const marker = `bench-update-${n}-${Date.now()}`;
    const t0 = performance.now();
    const answer = await post(`/api/incidents/${id}/updates`, { actor: 'alice', text: `Still working (${marker})` });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    const pending = new Set(Object.keys(channels));
    await until(`update ${n} on every channel`, () => {
      for (const name of pending)
        if (channels[name](marker)) {
          perChannel[name].push(performance.now() - t0);
          pending.delete(name);
        }
      return pending.size === 0;
    });
    all.push(performance.now() - t0);
  }
  all.sort((a, b) => a - b);
  console.log(`Status update → delivered to 5 channels (e-mail, Slack, Teams, webhook, local), ${UPDATES} updates:`);
  console.log(`  all five: p50 ${ms(pct(all, 0.5))}, p99 ${ms(pct(all, 0.99))}, max ${ms(all.at(-1))}`);
  for (const [name, times] of Object.entries(perChannel)) {
    times.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(8)} p50 ${ms(pct(times, 0.5))}, p99 ${ms(pct(times, 0.99))}`);
  }

  // 2. One group of 200 stakeholders by e-mail: update → the last of 200 messages.
  const big = await post('/api/incidents', {
    title: 'bench: 200 stakeholders',
    category: 'other',
    severity: 'P2',
    declaredBy: 'alice',
  });
  const bigId = big.body.id;
  const toBig = () => smtp.messages.filter((m) => m.headers.get('x-incident-id') === bigId).length;
  await until('the declaration to 200 people', () => toBig() >= STAKEHOLDERS, 180_000);
  const fanout = [];
  for (let run = 1; run <= BIG_RUNS; run++) {
    const before = toBig();
    const t0 = performance.now();
    const answer = await post(`/api/incidents/${bigId}/updates`, { actor: 'alice', text: `Update ${run} to everyone` });
    if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
    await until(`update ${run} to 200 people`, () => toBig() >= before + STAKEHOLDERS, 180_000);
    fanout.push(performance.now() - t0);
  }
  console.log(
    `${STAKEHOLDERS} stakeholders in one group (e-mail each): update → last delivery ${fanout.map(ms).join(', ')} (${BIG_RUNS} updates)`,
  );
} finally {
  await stop();
  await Promise.all([smtp.stop(), slack.close(), teams.stop(), hook.stop()]);
  agent.destroy();
}
