#!/usr/bin/env node
// Measures what issue 3 names in numbers: a 14-day escalation chain (six levels, two days apart, then
// overdue) played on the time-skipping test server must take under 10 s of wall-clock time.
// Each run is a whole drill: test server start, worker, incident, teardown.
// Usage: npm run build && node scripts/bench-escalation.mjs [runs]
import { fileURLToPath } from 'node:url';
import { runDrill } from '../dist/app/drill.js';
import { installTemporalRuntime } from '../dist/app/temporal/runtime.js';

const runs = Number(process.argv[2] ?? 3);
const runbooksDir = fileURLToPath(new URL('../test/fixtures/runbooks-escalation', import.meta.url));
installTemporalRuntime('ERROR');

const walls = [];
for (let i = 0; i < runs; i++) {
  const report = await runDrill({ runbookId: 'escalation-chain', runbooksDir, decisions: ['ignore'] });
  const { incident } = report;
  const escalations = incident.timeline.filter((e) => e.type === 'approval.escalated').length;
  const played = Date.parse(incident.timeline.at(-1).at) - Date.parse(incident.declaredAt);
  walls.push(report.wallClockMs);
  console.log(
    `run ${i + 1}: ${escalations} escalations over ${(played / 86_400_000).toFixed(1)} days of incident time in ${(report.wallClockMs / 1000).toFixed(2)} s`,
  );
}
walls.sort((a, b) => a - b);
console.log(
  `14-day escalation chain, wall clock: median ${(walls[Math.floor(walls.length / 2)] / 1000).toFixed(2)} s, max ${(walls.at(-1) / 1000).toFixed(2)} s over ${runs} runs (target < 10 s)`,
);
