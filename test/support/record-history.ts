// Records the stored histories that test/replay.test.ts replays: `npm run record-history`.
// Re-record only before the first release, or for a new scenario; a change that breaks an existing
// history must go behind patched() instead, because incidents with that history are running.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { IncidentService } from '../../app/incident-service.js';
import { fixturesDir } from './paths.js';
import { startTemporalHarness } from './temporal.js';

const harness = await startTemporalHarness();
try {
  const service = new IncidentService(harness.client, { taskQueue: harness.taskQueue, defaultKillSwitchFlag: 'ai-assistant-enabled' });
  const { id } = await service.declare({
    title: 'Jailbreak regression after model upgrade',
    category: 'jailbreak',
    severity: 'P2',
    description: 'Red-team prompts from the regression suite succeed again since the 2026-11 model rollout.',
    declaredBy: 'alice',
  });
  await service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'mallory' }).catch(() => undefined);
  await service.setSeverity(id, 'alice', 'P1');
  await service.assignCommander(id, 'alice', 'bob');
  await service.decide(id, { stepId: 'kill-switch', decision: 'approve', actor: 'bob' });
  await service.resolve(id, 'bob', 'Assistant disabled by kill switch; model rolled back by the ML team.');
  const handle = harness.client.workflow.getHandle(id);
  await handle.result();
  const history = await handle.fetchHistory();
  const dir = join(fixturesDir, 'histories');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'incident-refuse-approve-handover-resolve.json');
  await writeFile(file, JSON.stringify({ workflowId: id, history: JSON.parse(historyToJSON(history)) }, null, 2) + '\n');
  console.log(`Recorded ${history.events?.length} events of ${id} to ${file}`);
} finally {
  await harness.stop();
}
