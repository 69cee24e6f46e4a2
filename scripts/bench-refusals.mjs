#!/usr/bin/env node
// Issue 18's history bound: 25,000 refused approvals of one incident, through the service every entry
// point uses (3 persistent and 1,000 one-off actors; the validator refuses each, the ingress coalesces
// the refusals it records), on the embedded dev server with the product's own continue-as-new
// thresholds. Prints the runs, the longest run's history, the state's size and whether the incident
// still runs. `--signals` sends one refusal signal per attempt instead, as nothing in the product does.
// Usage: npm run build && node scripts/bench-refusals.mjs [count] [--signals]
import { IncidentService } from '../dist/app/incident-service.js';
import { approvalRefusedSignal } from '../dist/workflows/messages.js';
import { startTemporalHarness } from '../dist/test/support/temporal.js';

const count = Number(process.argv[2] ?? 25_000);
const rawSignals = process.argv.includes('--signals');
const harness = await startTemporalHarness();
try {
  const service = new IncidentService(harness.client, {
    taskQueue: harness.taskQueue,
    runbooks: harness.runbooks,
    tickets: harness.tickets,
  });
  const { id } = await service.declare({
    title: 'Refusal flood',
    category: 'prompt-injection',
    severity: 'P1',
    declaredBy: 'alice',
  });
  const handle = harness.client.workflow.getHandle(id);
  let limited = 0;
  const started = Date.now();
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) => {
        const n = i + j;
        const actor = n % 25 === 0 ? `one-off-${n}` : `mallory-${n % 3}`;
        if (!rawSignals)
          return service.decide(id, { stepId: 'kill-assistant', decision: 'approve' }, actor).then(
            () => Promise.reject(new Error(`${actor} was allowed to approve`)),
            (err) => {
              if (err?.kind === 'TooManyRequests') limited++;
              else if (err?.kind !== 'NotAuthorized') throw err;
            },
          );
        return handle.signal(approvalRefusedSignal, {
          actor,
          decision: 'approve',
          stepId: 'kill-assistant',
          reason: 'only the IC may approve step "kill-assistant"',
        });
      }),
    );
  }
  const sentMs = Date.now() - started;
  await service.flushRefusals();
  let state;
  for (let i = 0; i < 600; i++) {
    state = await service.get(id);
    const counted = state.timeline
      .filter((e) => e.type === 'approval.refused' || e.type === 'request.refused')
      .reduce((sum, e) => sum + Number(e.data?.count ?? 0), 0);
    if (counted === count) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const runs = [];
  for await (const info of harness.client.workflow.list({ query: `WorkflowId = '${id}'` }))
    runs.push({ status: info.status.name, events: info.historyLength });
  const { status } = await handle.describe();
  const result = {
    refusals: count,
    rate_limited: limited,
    sent_s: Math.round(sentMs / 100) / 10,
    runs: runs.length,
    longest_history_events: Math.max(...runs.map((r) => r.events)),
    state_bytes: Buffer.byteLength(JSON.stringify(state)),
    timeline_entries: state.timeline.length,
    status: status.name,
  };
  console.log(
    `${count} refusals (${limited} of them rate limited at the ingress) in ${result.sent_s} s: ${result.runs} runs, longest ${result.longest_history_events} events (Temporal's limit 51,200), state ${result.state_bytes} bytes (${result.timeline_entries} timeline entries), workflow ${result.status}`,
  );
  console.log(JSON.stringify(result));
} catch (err) {
  console.error('bench-refusals failed:', err);
  process.exitCode = 1;
} finally {
  await harness.stop();
  // Client retries still scheduled would throw on the closed connection.
  process.exit();
}
