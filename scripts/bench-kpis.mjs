// computeKpis over 10,000 synthetic incidents (a mix of severities, states, targets, repeats and
// actions): the CPU that each /api/kpis answer and each background /metrics refresh holds the event
// loop for. Prints the median and the slowest of 30 runs after 5 to warm up. Usage: npm run bench:kpis [-- N]
import { computeKpis } from '../dist/app/kpis/compute.js';

const N = Number(process.argv[2] ?? 10_000);
const SEVERITIES = ['P0', 'P1', 'P2', 'P3'];
const STATUSES = ['declared', 'mitigated', 'resolved', 'closed'];
const now = Date.now();
const iso = (ms) => new Date(ms).toISOString();
const incidents = Array.from({ length: N }, (_, k) => {
  const declared = now - (k % 40) * 86_400_000 - k * 1000;
  return {
    id: `inc-${k}`,
    severity: SEVERITIES[k % 4],
    status: STATUSES[k % 4],
    declaredAt: iso(declared),
    detectedAt: iso(declared - 60_000),
    acknowledgedAt: iso(declared + 120_000),
    ...(k % 4 ? { mitigatedAt: iso(declared + 1_800_000) } : {}),
    ...(k % 4 > 1 ? { resolvedAt: iso(declared + 3_600_000) } : {}),
    mitigationTarget: ['30m', '1h', '4h', '1d'][k % 4],
    runbook: { id: 'default' },
    service: ['chat', 'search', 'agent'][k % 3],
    ...(k % 10 === 0 ? { fingerprint: `fp${k % 97}` } : {}),
    actions: k % 6 === 0 ? [{ status: 'open', dueAt: iso(declared + 7 * 86_400_000) }] : [],
    updateCadence: { onTime: 2, overdue: 1 },
  };
});
const options = { now: new Date(now), since: new Date(now - 30 * 86_400_000) };
const ms = [];
for (let run = 0; run < 35; run++) {
  const t = performance.now();
  computeKpis(incidents, options);
  if (run >= 5) ms.push(performance.now() - t);
}
ms.sort((a, b) => a - b);
console.log(
  `computeKpis over ${N} incidents: median ${ms[15].toFixed(1)} ms, slowest ${ms.at(-1).toFixed(1)} ms (30 runs)`,
);
