#!/usr/bin/env node
// Measures what issue 6 names in numbers, against the product as `npm start` runs it (embedded dev server):
//   p50_ms / p99_ms     alert → incident started, over 500 sequential alerts of distinct groups
//                       (POST sent → the group's workflow reports the incident's workflow started)
//   storm_*             5,000 alerts across 25 group keys, 64 senders at once (node:http, keep-alive):
//                       incidents opened, alerts counted by those incidents, 5xx answers
//   throughput_ratio    the storm's accepted alerts per second / a bare signal-with-start loop's (same
//                       senders, same server, a workflow type no worker runs), measured in the same run
//                       once the storm's alerts have all reached their incidents
//   contain_p50_ms / contain_p99_ms   alert → flag step verified, for a P0 runbook whose flag step needs
//                       no approval (50 alerts)
// Every phase opens more than the 60 new groups a minute past which a source's new groups join its
// flood incident (app/alerts/flood.ts), so the product runs with ALERT_NEW_GROUPS_PER_MINUTE raised:
// this measures incidents being opened, and fails when an alert did not open its own.
// The last line is one JSON object. Usage: npm run bench:alerts
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import { freePort, postJson, sleep, spawnProduct, waitHealthy } from './bench-support.mjs';
import { Client, Connection } from '@temporalio/client';

const root = fileURLToPath(new URL('..', import.meta.url));
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
};

const SEQUENTIAL = 500;
const STORM_ALERTS = 5_000;
const STORM_GROUPS = 25;
const SENDERS = 64;
const CONTAIN = 50;

const dataDir = mkdtempSync(join(tmpdir(), 'bench-alerts-'));
const runbooksDir = join(dataDir, 'runbooks');
cpSync(join(root, 'runbooks'), runbooksDir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
writeFileSync(
  join(runbooksDir, 'bench-kill-switch.yaml'),
  `id: bench-kill-switch
title: Bench kill switch
description: A P0 runbook whose flag step runs without waiting for approval.
match:
  alerts: [[{ label: alertname, op: "=", value: BenchKillSwitch }]]
severity: { default: P0 }
containment:
  - id: kill-switch
    kind: flag
    title: Turn the assistant off
    flag: ai-assistant-enabled
    action: "off"
    approval: { required: false }
`,
);
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
await waitHealthy(base);
const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
const client = new Client({ connection });

// One alert per group, firing again and again as a storm does: repeats are counted, not announced.
const alert = (alertname, groupKey) => ({
  alerts: [
    {
      status: 'firing',
      groupKey,
      id: groupKey,
      labels: { alertname, severity: 'P2', service: 'bench' },
      annotations: { summary: alertname },
    },
  ],
});
const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
const send = async (body) => {
  const answer = await postJson(agent, `${base}/webhooks/generic`, body);
  const expected = body.alerts[0].groupKey;
  if (answer.status === 202 && answer.body.groups[0].groupKey !== expected)
    throw new Error(`alert of group ${expected} went to ${answer.body.groups[0].groupKey}, not a group of its own`);
  return answer;
};
const incidentOf = async ({ workflowId, groupKey }) => {
  for (;;) {
    const state = await client.workflow
      .getHandle(workflowId)
      .query('alert-group', groupKey)
      .catch(() => undefined);
    if (state?.incidentId) return state.incidentId;
    await sleep(2);
  }
};

// Warm up: first workflow tasks and the runbook cache.
for (let i = 0; i < 5; i++) await incidentOf((await send(alert('BenchWarmup', `warm-${i}`))).body.groups[0]);

const latencies = [];
for (let i = 0; i < SEQUENTIAL; i++) {
  const t0 = performance.now();
  const answer = await send(alert('BenchLatency', `latency-${i}`));
  if (answer.status !== 202) throw new Error(`latency alert ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
  await incidentOf(answer.body.groups[0]);
  latencies.push(performance.now() - t0);
}

async function run(total, senders, one) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < total) await one(next++);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

let storm5xx = 0;
const stormGroups = new Map();
const stormRate = await run(STORM_ALERTS, SENDERS, async (n) => {
  const answer = await send(alert('BenchStorm', `storm-${n % STORM_GROUPS}`));
  if (answer.status >= 500) storm5xx++;
  else if (answer.status === 202) stormGroups.set(answer.body.groups[0].groupKey, answer.body.groups[0]);
  else throw new Error(`storm alert ${n}: ${answer.status} ${JSON.stringify(answer.body)}`);
});

// Let the groups forward everything, then count what the incidents counted.
const stormIncidents = new Set();
let counted = 0;
const settleBy = Date.now() + 120_000;
do {
  stormIncidents.clear();
  counted = 0;
  for (const group of stormGroups.values()) {
    const id = await incidentOf(group);
    stormIncidents.add(id);
    counted += (await client.workflow.getHandle(id).query('state')).alerts?.received ?? 0;
  }
  if (counted < STORM_ALERTS) await sleep(500);
} while (counted < STORM_ALERTS && Date.now() < settleBy);

// Then the bare loop, on a machine as quiet as the storm found it.
const bareRate = await run(STORM_ALERTS, SENDERS, (n) =>
  client.workflow.signalWithStart('benchBare', {
    workflowId: `bench-bare-${n % STORM_GROUPS}`,
    taskQueue: 'bench-bare-no-worker',
    args: [],
    signal: 'alert-batch',
    signalArgs: [{ n }],
  }),
);

const contain = [];
for (let i = 0; i < CONTAIN; i++) {
  const t0 = performance.now();
  const answer = await send(alert('BenchKillSwitch', `contain-${i}`));
  const id = await incidentOf(answer.body.groups[0]);
  for (;;) {
    const state = await client.workflow.getHandle(id).query('state');
    if (state.steps?.some((s) => s.status === 'verified')) break;
    if (state.steps?.some((s) => s.status === 'failed'))
      throw new Error(`containment failed: ${JSON.stringify(state.steps)}`);
    await sleep(2);
  }
  contain.push(performance.now() - t0);
}

await connection.close();
stop();
if (stormIncidents.size !== STORM_GROUPS || counted !== STORM_ALERTS)
  throw new Error(
    `the storm opened ${stormIncidents.size} incidents counting ${counted} alerts, not ${STORM_GROUPS} counting ${STORM_ALERTS}`,
  );
const result = {
  p50_ms: percentile(latencies, 50),
  p99_ms: percentile(latencies, 99),
  storm_alerts: STORM_ALERTS,
  storm_incidents: stormIncidents.size,
  storm_alerts_counted: counted,
  storm_5xx: storm5xx,
  storm_alerts_per_s: Math.round(stormRate),
  bare_signal_with_start_per_s: Math.round(bareRate),
  throughput_ratio: Number((stormRate / bareRate).toFixed(2)),
  contain_p50_ms: percentile(contain, 50),
  contain_p99_ms: percentile(contain, 99),
};
console.log(
  `alert → incident: p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms (n=${SEQUENTIAL}; targets: p99 < 300 ms)`,
);
console.log(
  `storm: ${STORM_ALERTS} alerts, ${STORM_GROUPS} groups → ${result.storm_incidents} incidents counting ${counted} alerts, ${storm5xx} 5xx; ${result.storm_alerts_per_s}/s vs bare signal-with-start ${result.bare_signal_with_start_per_s}/s = ${result.throughput_ratio} (target ≥ 0.7)`,
);
console.log(
  `alert → containment verified (P0, no approval needed): p50 ${result.contain_p50_ms} ms, p99 ${result.contain_p99_ms} ms (n=${CONTAIN}; target p99 < 1 s)`,
);
console.log(JSON.stringify(result));
process.exit(0);
