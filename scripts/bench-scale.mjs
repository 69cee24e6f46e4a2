#!/usr/bin/env node
// Measures the read side of issue 20 against the product as `npm start` runs it (embedded dev server):
// opens incidents through the API and the alert webhook, up to each size of BENCH_SIZES (default
// 1000,10000), a mix of severities and categories, half of them resolved, one in six of those with a
// corrective action, one in ten raised by a monitoring alert; at each size it times GET /api/incidents
// (first page), the console's list load (the calls its incidents page makes), GET /api/kpis?since=30d
// and GET /metrics (p50/p99) and reads the product's RSS, and it reads the RSS once 2,000 incidents are
// open (none is closed: resolved ones keep running for their undo offers). The last line is one JSON
// object. Usage: npm run bench:scale [-- 1000,10000]
// BENCH_REUSE=DIR measures again, at the size it already has, the data directory a previous run left
// (its path is printed first): growing 10,000 incidents takes hours on this machine.
// At each size it reads the read side twice: 20 s after the last incident was opened, while the worker
// still works through the growth (busy), and once it has caught up (settle(), at most BENCH_SETTLE_SECONDS):
// the figures at rest are the ones reported, the busy ones are printed beside them. The RSS with 2,000
// open is read at rest (a minute idle after settling) and as the most sampled until then.
// Beside each figure it prints what explains it: the same first page listed straight from the dev
// server's visibility (no product in between), and the product's event-loop delay (prom-client's).
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, postJson, sleep, spawnProduct, waitHealthy } from './bench-support.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SIZES = String(process.argv[2] ?? process.env.BENCH_SIZES ?? '1000,10000')
  .split(',')
  .map(Number);
const RSS_OPEN = 2000;
const SENDERS = 16;
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
};

const reuse = process.env.BENCH_REUSE;
if (reuse && !existsSync(join(reuse, 'bench-scale.json')))
  throw new Error(`BENCH_REUSE=${reuse}: not a directory a bench:scale run left (no bench-scale.json)`);
const dataDir = reuse ?? mkdtempSync(join(tmpdir(), 'bench-scale-'));
process.stderr.write(`data directory ${dataDir}\n`);
const runbooksDir = join(dataDir, 'runbooks');
if (!reuse) cpSync(join(root, 'runbooks'), runbooksDir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
const port = await freePort();
const temporalPort = await freePort();
const base = `http://127.0.0.1:${port}`;
const product = spawnProduct(root, {
  DATA_DIR: dataDir,
  PORT: String(port),
  TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
  TEMPORAL_UI: 'off',
  LOG_LEVEL: 'error',
  RUNBOOKS_DIR: runbooksDir,
  // One in ten incidents is raised by an alert group of its own: past the default 60 new groups a
  // minute from one source they would join its alert-flood incident, and the bench would time fewer.
  ALERT_NEW_GROUPS_PER_MINUTE: '100000',
});
const stop = () => {
  try {
    product.kill('SIGTERM');
  } catch {
    // already gone
  }
};
process.on('exit', stop);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1));
await waitHealthy(base);

const rssMb = () => {
  const line = readFileSync(`/proc/${product.pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Math.round(Number(line[1]) / 1024) : null;
};

/** CPU seconds the product and its dev server have used (utime + stime of each, /proc). */
const cpuSeconds = () => {
  const pids = [product.pid];
  try {
    pids.push(Number(readFileSync(join(dataDir, 'temporal.pid'), 'utf8')));
  } catch {
    // not started yet
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / 100;
};

const SETTLE_CORES = 0.3;
const REST_MS = 60_000;
const SETTLE_MAX_MS = Number(process.env.BENCH_SETTLE_SECONDS ?? 900) * 1000;

/**
 * Waits (at most BENCH_SETTLE_SECONDS) until the worker has caught up with the incidents just opened,
 * i.e. the product and its dev server use less than SETTLE_CORES of a core over 10 s: the read paths
 * are measured at steady state, not behind the backlog of the growth. Returns the wait and the load.
 */
async function settle() {
  const t0 = Date.now();
  let cores;
  do cores = await load();
  while (cores >= SETTLE_CORES && Date.now() - t0 < SETTLE_MAX_MS);
  return { seconds: Math.round((Date.now() - t0) / 1000), cores };
}

/** Cores the product and its dev server use, over the next 10 s. */
async function load() {
  const before = cpuSeconds();
  await sleep(10_000);
  return Math.round(((cpuSeconds() - before) / 10) * 100) / 100;
}

const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
const SEVERITIES = ['P0', 'P1', 'P2', 'P3'];
const CATEGORIES = ['other', 'model-regression', 'harmful-output', 'prompt-injection'];
const SERVICES = ['chat', 'search', 'agent', 'summaries'];
/** Incidents opened so far (kept in the data directory, for BENCH_REUSE). */
let next = reuse ? JSON.parse(readFileSync(join(dataDir, 'bench-scale.json'), 'utf8')).opened : 0;
const remember = () => writeFileSync(join(dataDir, 'bench-scale.json'), JSON.stringify({ opened: next }));
let failed = 0;
/** The answers other than 201/202, by status: under load a declaration can time out after its workflow started. */
const failures = {};
const fail = (status) => (failed++, (failures[status] = (failures[status] ?? 0) + 1));
let rss2000Open = null;
/** The same 20 s after the last was opened, while the worker may still be catching up. */
let rss2000Busy = null;
/** The most the product held, sampled every second, from its start until 2,000 were open and it was at rest. */
let rssPeak = 0;
const rssSampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb() ?? 0)), 1000);
const started = Date.now();

/** Incident `i`: raised by an alert (one in ten), or declared and then, every other one, resolved. */
async function open(i) {
  if (i % 10 === 5) {
    const alerted = await postJson(agent, `${base}/webhooks/generic`, {
      alerts: [
        {
          status: 'firing',
          groupKey: `bench-${i}`,
          labels: { alertname: `BenchAlert${i % 4}`, severity: SEVERITIES[i % 4], service: SERVICES[i % 4] },
          annotations: { summary: `bench alert ${i}` },
        },
      ],
    });
    if (alerted.status !== 202) fail(alerted.status);
    return;
  }
  const commander = `ic${i % 7}`;
  const declared = await postJson(agent, `${base}/api/incidents`, {
    title: `bench incident ${i}`,
    category: CATEGORIES[i % CATEGORIES.length],
    severity: SEVERITIES[i % SEVERITIES.length],
    declaredBy: commander,
    service: SERVICES[i % SERVICES.length],
  });
  // 202: declared, no worker had loaded its runbook within the wait (resolving it still works).
  if (declared.status !== 201 && declared.status !== 202) {
    fail(declared.status);
    return;
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
}

async function growTo(size) {
  const until = Math.min(size, RSS_OPEN);
  const senders = (limit) =>
    Promise.all(
      Array.from({ length: SENDERS }, async () => {
        for (let i = next; i < limit; i = next) {
          next++;
          await open(i);
          if ((i + 1) % 1000 === 0)
            process.stderr.write(`${i + 1} incidents, ${Math.round((Date.now() - started) / 1000)} s\n`);
        }
      }),
    );
  if (next < until) {
    await senders(until);
    if (until === RSS_OPEN) {
      // Let the last workflow tasks run and the cache fill before reading the RSS, then again at rest.
      await sleep(20_000);
      rss2000Busy = rssMb();
      await settle();
      // At rest: idle for a minute, long enough for V8 to collect and give back what the growth left.
      await sleep(REST_MS);
      rss2000Open = rssMb();
      clearInterval(rssSampler);
      process.stderr.write(
        `RSS with ${RSS_OPEN} incidents open: ${rss2000Open} MB at rest (${rss2000Busy} MB just after, ${rssPeak} MB at most)\n`,
      );
    }
  }
  await senders(size);
  remember();
}

/** Times `runs` rounds of `paths` at once; `onAnswer(text, ms)` sees each 200 answer and its round's time. */
async function time(paths, runs, onAnswer) {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const answers = await Promise.all(
      paths.map(async (path) => {
        const response = await fetch(`${base}${path}`);
        const text = await response.text();
        if (response.status !== 200) throw new Error(`${path}: ${response.status} ${text.slice(0, 200)}`);
        return text;
      }),
    );
    const took = performance.now() - t;
    ms.push(took);
    for (const text of answers) onAnswer?.(text, took);
    bytes = answers.reduce((sum, text) => sum + text.length, 0);
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), kb: Math.round(bytes / 1024) };
}

const ms = (seconds) => (seconds === undefined ? '?' : Math.round(Number(seconds) * 1000));

/** The list's first page straight from visibility, to tell the store's time from the product's. */
async function rawListTimes(runs) {
  const { Connection, Client } = await import('@temporalio/client');
  const { incidentQuery } = await import('../dist/app/incident-query.js');
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const client = new Client({ connection });
    const query = incidentQuery({});
    const ms = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await client.workflowService.listWorkflowExecutions({ namespace: 'default', query, pageSize: 50 });
      ms.push(performance.now() - t);
    }
    return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
  } finally {
    await connection.close();
  }
}

/** The read side now: list, console, visibility straight, KPIs, /metrics, and what explains them. */
async function readSide() {
  const list = await time(['/api/incidents'], 100);
  // The console's incidents page: its configuration, then the runbooks and the first page of 100 at once.
  const consoleConfig = await time(['/api/console'], 20);
  const consoleList = await time(['/api/runbooks', '/api/incidents?limit=100&status=open'], 20);
  const raw = await rawListTimes(100);
  const kpis = await time(['/api/kpis?since=30d'], 100);
  // prom-client's event-loop histogram restarts with each scrape: this one covers the requests above.
  const lagText = await (await fetch(`${base}/metrics`)).text();
  // A scrape answered within 0.2 s of a background KPI refresh: the refresh computes in the KPI thread,
  // so these should be no slower than the others (they were, when it held the event loop).
  const afterRefresh = [];
  const timed = await time(['/metrics'], 100, (text, took) => {
    if (Number(text.match(/^incident_kpi_data_age_seconds (\S+)/m)?.[1]) < 0.2) afterRefresh.push(took);
  });
  const metrics = {
    ...timed,
    afterRefresh: {
      count: afterRefresh.length,
      maxMs: afterRefresh.length ? Math.round(Math.max(...afterRefresh)) : null,
    },
  };
  const metricsText = await (await fetch(`${base}/metrics`)).text();
  const kpiTotal = (await (await fetch(`${base}/api/kpis?since=30d`)).json()).incidents.total;
  return {
    kpiTotal,
    list,
    consoleList: {
      p50: consoleConfig.p50 + consoleList.p50,
      p99: consoleConfig.p99 + consoleList.p99,
      kb: consoleList.kb,
    },
    raw,
    kpis,
    metrics,
    rss: rssMb(),
    lag: lagText.match(/^nodejs_eventloop_lag_p99_seconds (\S+)/m)?.[1],
    lagMax: lagText.match(/^nodejs_eventloop_lag_max_seconds (\S+)/m)?.[1],
    age: metricsText.match(/^incident_kpi_data_age_seconds (\S+)/m)?.[1],
    refresh: Number(metricsText.match(/^incident_kpi_refresh_duration_seconds (\S+)/m)?.[1]),
  };
}

function print(read, when) {
  console.log(
    `GET /api/incidents      p50 ${read.list.p50} ms, p99 ${read.list.p99} ms (first page, ${read.list.kb} KB)${when}`,
  );
  console.log(
    `console list load       p50 ${read.consoleList.p50} ms, p99 ${read.consoleList.p99} ms (/api/console, then /api/runbooks and the first 100 open at once, ${read.consoleList.kb} KB)`,
  );
  console.log(
    `  same page from visibility p50 ${read.raw.p50} ms, p99 ${read.raw.p99} ms (ListWorkflowExecutions straight to the dev server)`,
  );
  console.log(`GET /api/kpis?since=30d p50 ${read.kpis.p50} ms, p99 ${read.kpis.p99} ms (KPIs count ${read.kpiTotal})`);
  console.log(
    `GET /metrics            p50 ${read.metrics.p50} ms, p99 ${read.metrics.p99} ms (${read.metrics.kb} KB; data age ${read.age} s, background refresh ${read.refresh} s)`,
  );
  console.log(
    `  just after a KPI refresh ${read.metrics.afterRefresh.count} of those scrapes, the slowest ${read.metrics.afterRefresh.maxMs ?? '-'} ms (the refresh computes in the KPI thread)`,
  );
  console.log(
    `product event loop      delay p99 ${ms(read.lag)} ms, max ${ms(read.lagMax)} ms (during the requests above: what a request may wait behind)`,
  );
  console.log(
    `product RSS             ${read.rss} MB (worker and API; the Temporal dev server is a process of its own)`,
  );
}

/**
 * Grows to `size`, reads the read side while the worker still works through the growth (busy), waits
 * until it is done (settle), and reads it again: the figures at rest are the ones reported.
 */
async function measure(size) {
  const t0 = Date.now();
  await growTo(size);
  const createSeconds = Math.round((Date.now() - t0) / 1000);
  // Let the last upserts reach visibility, and one background refresh run over all of them.
  await sleep(20_000);
  const busyLoad = await load();
  const busy = await readSide();
  const settled = await settle();
  const read = await readSide();
  console.log(
    `--- ${size} incidents (${failed} answered other than 201/202: ${JSON.stringify(failures)}; grown in ${createSeconds} s)`,
  );
  console.log(`busy: 20 s after the last was opened, product and dev server at ${busyLoad} of a core`);
  print(busy, ' (busy)');
  console.log(
    `at rest: after ${settled.seconds} s more, product and dev server at ${settled.cores} of a core (steady state: under ${SETTLE_CORES})`,
  );
  print(read, ' (at rest)');
  if (read.kpiTotal !== size - failed)
    console.log(`NOTE: the KPIs count ${read.kpiTotal} incidents, ${size - failed} were opened without an error`);
  return { size, ...read, busy, busyLoad, settled };
}

const results = [];
if (reuse) results.push(await measure(next));
else for (const size of SIZES) results.push(await measure(size));
const first = results[0];
const last = results.at(-1);
console.log(
  `RSS with ${RSS_OPEN} incidents open ${rss2000Open ?? 'not reached'} MB at rest (${rss2000Busy ?? '-'} MB 20 s after the last was opened, ${rssPeak} MB at most since the start)`,
);
console.log(
  JSON.stringify({
    incidents: last.size,
    failed,
    failures,
    kpis_total: last.kpiTotal,
    list_p50_ms: last.list.p50,
    list_p99_ms: last.list.p99,
    visibility_list_p99_ms: last.raw.p99,
    console_list_p50_ms: last.consoleList.p50,
    console_list_p99_ms: last.consoleList.p99,
    kpis_p50_ms: last.kpis.p50,
    kpis_p99_ms: last.kpis.p99,
    metrics_p50_ms: last.metrics.p50,
    metrics_p99_ms: last.metrics.p99,
    metrics_ratio_10k_1k:
      results.length > 1 ? Math.round((last.metrics.p99 / Math.max(1, first.metrics.p99)) * 100) / 100 : null,
    kpi_refresh_s: last.refresh,
    settled_after_s: last.settled.seconds,
    rss_mb: last.rss,
    rss_mb_2000_open: rss2000Open,
    rss_mb_2000_open_busy: rss2000Busy,
    rss_mb_peak_to_2000_open: rssPeak,
    busy: {
      load_cores: last.busyLoad,
      list_p99_ms: last.busy.list.p99,
      visibility_list_p99_ms: last.busy.raw.p99,
      kpis_p99_ms: last.busy.kpis.p99,
      metrics_p99_ms: last.busy.metrics.p99,
      metrics_ratio_10k_1k:
        results.length > 1
          ? Math.round((last.busy.metrics.p99 / Math.max(1, first.busy.metrics.p99)) * 100) / 100
          : null,
    },
    at: Object.fromEntries(
      results.map((r) => [
        r.size,
        { list_p99_ms: r.list.p99, kpis_p99_ms: r.kpis.p99, metrics_p99_ms: r.metrics.p99, rss_mb: r.rss },
      ]),
    ),
  }),
);
stop();
process.exit(0);
