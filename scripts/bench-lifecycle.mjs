#!/usr/bin/env node
// Measures what issue 2 names in numbers: time from `npm start` to a healthy /healthz (target < 30 s),
// declare → approve (flag off and verified) latency, and SIGTERM → every process gone (target < 10 s).
// Usage: npm run build && node scripts/bench-lifecycle.mjs [runs]
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, sleep } from './bench-support.mjs';

const runs = Number(process.argv[2] ?? 3);
const root = fileURLToPath(new URL('..', import.meta.url));

const groupAlive = (pid) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function once(dataDir) {
  const port = await freePort();
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
    LOG_LEVEL: 'warn',
  };
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], { cwd: root, env, detached: true, stdio: 'ignore' });
  while (
    (await fetch(`${base}/healthz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  )
    await sleep(50);
  const healthy = performance.now() - t0;

  const t1 = performance.now();
  const post = (path, body) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json());
  const { id } = await post('/api/incidents', {
    title: 'bench',
    category: 'other',
    severity: 'P3',
    declaredBy: 'bench',
  });
  const step = await post(`/api/incidents/${id}/approvals`, {
    stepId: 'kill-switch',
    decision: 'approve',
    actor: 'bench',
  });
  if (step.status !== 'verified') throw new Error(`step ${JSON.stringify(step)}`);
  const contain = performance.now() - t1;

  const t2 = performance.now();
  process.kill(child.pid, 'SIGTERM');
  while (groupAlive(child.pid)) await sleep(20);
  return { healthy, contain, stop: performance.now() - t2 };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms (min ${s[0].toFixed(0)}, max ${s.at(-1).toFixed(0)}, n=${s.length})`;
};

const cold = [];
const warm = [];
for (let i = 0; i < runs; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'incident-bench-'));
  cold.push(await once(dataDir)); // fresh .data
  warm.push(await once(dataDir)); // restart on existing state
}
for (const [name, results] of Object.entries({ 'fresh data dir': cold, 'existing data dir': warm })) {
  console.log(`${name}:`);
  console.log(`  npm start → /healthz 200   ${stats(results.map((r) => r.healthy))}`);
  console.log(`  declare → approve verified ${stats(results.map((r) => r.contain))}`);
  console.log(`  SIGTERM → all processes gone ${stats(results.map((r) => r.stop))}`);
}
