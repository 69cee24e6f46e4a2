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
  const service = new IncidentService(harness.client, { taskQueue: harness.taskQueue, runbooks: harness.runbooks, tickets: harness.tickets });
  const { id } = await service.declare({
    title: 'Injected web page makes the assistant send e-mail',
    category: 'prompt-injection',
    severity: 'P2',
    description: 'A page the browse tool read told the assistant to e-mail conversation history to an outside address.',
    declaredBy: 'alice',
  });
  await service.decide(id, { stepId: 'disable-send-email', decision: 'approve', actor: 'mallory' }).catch(() => undefined);
  await service.completeTriage(id, 'capture-payload', 'alice', 'saved to the evidence bucket');
  await service.setSeverity(id, 'alice', 'P1');
  await service.assignCommander(id, 'alice', 'bob');
  await service.decide(id, { stepId: 'disable-send-email', decision: 'approve', actor: 'sam' });
  await service.decide(id, { stepId: 'kill-assistant', decision: 'reject', actor: 'bob', reason: 'tool cut is enough' });
  await service.addAction(id, { actor: 'bob', kind: 'detect', title: 'Alert on outbound e-mail to new domains', owner: 'dave' });
  await service.resolve(id, 'bob', 'send-email disabled; browse tool hardened against the injected page.');
  await service.addAction(id, { actor: 'bob', kind: 'prevent', title: 'Strip instructions from browsed pages', owner: 'carol', dueAt: '2099-01-31' });
  await service.waiveAction(id, 'A1', 'carol', 'not mine').catch(() => undefined);
  await service.waiveAction(id, 'A1', 'bob', 'covered by the e-mail allow-list');
  await service.closeAction(id, 'A2', 'carol');
  await service.completePostmortem(id, 'bob');
  await service.decide(id, { stepId: 'undo-disable-send-email', decision: 'approve', actor: 'bob' });
  const handle = harness.client.workflow.getHandle(id);
  await handle.result();
  const history = await handle.fetchHistory();
  const dir = join(fixturesDir, 'histories');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'prompt-injection-refuse-approve-reject-actions-postmortem-undo.json');
  await writeFile(file, JSON.stringify({ workflowId: id, history: JSON.parse(historyToJSON(history)) }, null, 2) + '\n');
  console.log(`Recorded ${history.events?.length} events of ${id} to ${file}`);
} finally {
  await harness.stop();
}
