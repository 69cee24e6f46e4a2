import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncidentState } from '../../workflows/types.js';

/**
 * Side effects done more often than the workflow decided them, read from what the embedded providers
 * leave behind in DATA_DIR and the server log, each against its truth:
 *
 * - flags: `flags.json.changes.jsonl` (integrations/flags/local-file.ts) has a line per applyChange
 *   with its idempotency key (`<incident>/<step>`); the provider answers a repeated key without
 *   changing anything, so a duplicate is a second line with `changed: true` for one key.
 * - tickets: `tickets.json` (integrations/ticketing/local-file.ts) files one ticket per externalId (an
 *   action's id, or the incident's record label); a duplicate is a second ticket with one externalId.
 * - notifications: `notifications.jsonl` (integrations/notify/local-log.ts) has a line per delivery;
 *   incident notifications carry no idempotency key, so the truth is the incident's timeline: a
 *   duplicate is a line (incident, audience, subject) beyond the timeline's `notification.sent` entries
 *   for it ("Notified <audience>: <subject>").
 * - pages: the console pager (integrations/paging/console.ts) logs `[page <targets>] <incident> <sev>`
 *   per page; a duplicate is a log line beyond the timeline's `page.sent` entries ("Paged <targets>: …").
 */
export interface Duplicates {
  flagChanges: number;
  tickets: number;
  notifications: number;
  pages: number;
}

export interface FlagChangeLine {
  idempotencyKey: string;
  changed: boolean;
}

export async function flagChanges(dataDir: string): Promise<FlagChangeLine[]> {
  return jsonLines<FlagChangeLine>(join(dataDir, 'flags.json.changes.jsonl'));
}

/** Turns the generic runbook's kill switch back on in the local flag file, between trials. */
export async function resetFlag(dataDir: string): Promise<void> {
  const file = join(dataDir, 'flags.json');
  const flags = JSON.parse(await readFile(file, 'utf8')) as { flagValues: Record<string, unknown> };
  flags.flagValues['ai-assistant-enabled'] = true;
  await writeFile(`${file}.chaos`, JSON.stringify(flags, null, 2));
  await rename(`${file}.chaos`, file);
}

export async function countDuplicates(
  dataDir: string,
  serverLog: string,
  incidents: IncidentState[],
): Promise<{ duplicates: Duplicates; seen: Duplicates }> {
  const changed = (await flagChanges(dataDir)).filter((c) => c.changed).map((c) => c.idempotencyKey);
  const tickets = JSON.parse(await readFile(join(dataDir, 'tickets.json'), 'utf8')) as {
    tickets: { externalId: string }[];
  };
  const sent = await jsonLines<{ incidentId: string; audience: string[]; subject: string }>(
    join(dataDir, 'notifications.jsonl'),
  );
  const timeline = (type: string) =>
    incidents.flatMap((i) => i.timeline.filter((e) => e.type === type).map((e) => `${i.id} ${e.message}`));
  const notified = timeline('notification.sent');
  const paged = timeline('page.sent').map((entry) => entry.slice(0, entry.indexOf(':')));
  const pageLines = [...serverLog.matchAll(/\[page ([^\]]+)\] (\S+) P\d/g)].map(
    ([, targets, id]) => `${id} Paged ${targets}`,
  );
  const ticketKeys = tickets.tickets.map((t) => t.externalId);
  const notifications = sent.map((n) => `${n.incidentId} Notified ${n.audience.join(', ')}: ${n.subject}`);
  const seen = {
    flagChanges: changed.length,
    tickets: ticketKeys.length,
    notifications: notifications.length,
    pages: pageLines.length,
  };
  const duplicates = {
    flagChanges: beyond(changed, []),
    tickets: beyond(ticketKeys, []),
    notifications: beyond(notifications, notified),
    pages: beyond(pageLines, paged),
  };
  return { duplicates, seen };
}

/** How many of `done` exceed what `decided` allows: as many of a key as it decided, and always one (in flight). */
function beyond(done: string[], decided: string[]): number {
  const allowed = new Map<string, number>();
  for (const key of decided) allowed.set(key, (allowed.get(key) ?? 0) + 1);
  const seen = new Map<string, number>();
  let extra = 0;
  for (const key of done) {
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > Math.max(allowed.get(key) ?? 0, 1)) extra++;
  }
  return extra;
}

async function jsonLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}
