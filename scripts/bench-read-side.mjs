#!/usr/bin/env node
// Measures the read side of issue 20 against the product as `npm start` runs it (embedded dev server):
// opens N incidents through the API (BENCH_INCIDENTS, default 2,000; 10,000 for the target),
// a mix of severities and categories, half of them resolved, some with a corrective action, then
// times GET /api/incidents (first page), GET /api/kpis?since=30d and GET /metrics (p50/p99) and
// reads the product's RSS. The last line is one JSON object. Usage: npm run bench:read [-- 10000]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, postJson, sleep } from './bench-support.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.argv[2] ?? process.env.BENCH_INCIDENTS ?? 2000);
const SENDERS = 16;
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
};

const dataDir = mkdtempSync(join(tmpdir(), 'bench-read-'));
const runbooksDir = join(dataDir, 'runbooks');
cpSync(join(root, 'runbooks'), runbooksDir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const product = spawn(process.execPath, [join(root, 'dist/app/main.js')], {
  cwd: root,
  env: {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
    LOG_LEVEL: 'error',
    RUNBOOKS_DIR: runbooksDir,
  },
  stdio: 'ignore',
});
const stop = () => {
  try {
    product.kill('SIGTERM');
  } catch {
    // already gone
  }
};
process.on('exit', stop);
while (
  (await fetch(`${base}/healthz`).then(
    (r) => r.status,
    () => 0,
  )) !== 200
)
  await sleep(100);

const rssMb = () => {
  const line = readFileSync(`/proc/${product.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Math.round(Number(line[1]) / 1024) : null;
};

const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
const SEVERITIES = ['P0', 'P1', 'P2', 'P3'];
const CATEGORIES = ['other', 'model-regression', 'harmful-output', 'prompt-injection'];
const SERVICES = ['chat', 'search', 'agent', 'summaries'];
let next = 0;
let failed = 0;
const started = Date.now();
async function sender() {
  for (let i = next++; i < N; i = next++) {
    const commander = `ic${i % 7}`;
    const declared = await postJson(agent, `${base}/api/incidents`, {
      title: `bench incident ${i}`,
      category: CATEGORIES[i % CATEGORIES.length],
      severity: SEVERITIES[i % SEVERITIES.length],
      declaredBy: commander,
      service: SERVICES[i % SERVICES.length],
    });
    if (declared.status !== 201) {
      failed++;
      continue;
    }
    const id = declared.body.id;
    if (i % 2 === 0) {
      await postJson(agent, `${base}/api/incidents/${id}/resolve`, { actor: commander, summary: 'bench' });
      if (i % 6 === 0)
        await postJson(agent, `${base}/api/incidents/${id}/actions`, {
          actor: commander,
          title: 'follow up',
          owner: 'owner',
          kind: 'prevent',
        });
    }
    if ((i + 1) % 1000 === 0)
      process.stderr.write(`${i + 1} incidents, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
}
await Promise.all(Array.from({ length: SENDERS }, sender));
const createSeconds = Math.round((Date.now() - started) / 1000);
// Let the last upserts reach visibility, and one background /metrics refresh run over all of them.
await sleep(20_000);

async function time(path, runs) {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const response = await fetch(`${base}${path}`);
    const text = await response.text();
    ms.push(performance.now() - t);
    bytes = text.length;
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text.slice(0, 200)}`);
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), kb: Math.round(bytes / 1024) };
}
const list = await time('/api/incidents', 50);
const kpis = await time('/api/kpis?since=30d', 10);
const metrics = await time('/metrics', 50);
const metricsText = await (await fetch(`${base}/metrics`)).text();
const kpiTotal = (await (await fetch(`${base}/api/kpis?since=30d`)).json()).incidents.total;
const rss = rssMb();

console.log(
  `incidents               ${N} (${failed} failed to declare; created in ${createSeconds} s); KPIs count ${kpiTotal}`,
);
console.log(`GET /api/incidents      p50 ${list.p50} ms, p99 ${list.p99} ms (first page, ${list.kb} KB)`);
console.log(`GET /api/kpis?since=30d p50 ${kpis.p50} ms, p99 ${kpis.p99} ms`);
console.log(
  `GET /metrics            p50 ${metrics.p50} ms, p99 ${metrics.p99} ms (${metrics.kb} KB; data age ${metricsText.match(/^incident_kpi_data_age_seconds (\S+)/m)?.[1]} s)`,
);
console.log(`product RSS             ${rss} MB (the Temporal dev server is a process of its own)`);
console.log(
  JSON.stringify({
    incidents: N,
    kpis_total: kpiTotal,
    list_p50_ms: list.p50,
    list_p99_ms: list.p99,
    kpis_p50_ms: kpis.p50,
    kpis_p99_ms: kpis.p99,
    metrics_p50_ms: metrics.p50,
    metrics_p99_ms: metrics.p99,
    rss_mb: rss,
  }),
);
stop();
process.exit(0);
