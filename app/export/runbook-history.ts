// The runbook snapshot an incident ran with, as its workflow history holds it: the result of the
// `loadRunbook` activity of its first run (a continued run carries only the parsed definition).
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { RunbookSnapshot } from '../../runbooks/source.js';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;

/** Undefined when no history of the first run is left (past the namespace's retention). */
export async function runbookSnapshotFromHistory(
  client: Client,
  incidentId: string,
): Promise<RunbookSnapshot | undefined> {
  const current = await client.workflow.getHandle(incidentId).fetchHistory();
  const found = await snapshotIn(client, current);
  if (found) return found;
  const firstRunId = current.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
  if (!firstRunId) return undefined;
  const first = await client.workflow
    .getHandle(incidentId, firstRunId)
    .fetchHistory()
    .catch(() => undefined);
  return first ? snapshotIn(client, first) : undefined;
}

async function snapshotIn(client: Client, history: History): Promise<RunbookSnapshot | undefined> {
  const events = history.events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadRunbook');
  if (!scheduled?.eventId) return undefined;
  const completed = events.find(
    (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(scheduled.eventId),
  );
  const payloads = completed?.activityTaskCompletedEventAttributes?.result?.payloads;
  if (!payloads?.length) return undefined;
  return decodeFromPayloadsAtIndex<RunbookSnapshot>(client.options.loadedDataConverter, 0, payloads);
}
