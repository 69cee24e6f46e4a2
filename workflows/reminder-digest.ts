import {
  condition,
  continueAsNew,
  deprecatePatch,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/index.js';
import { ACTIVITY_OPTIONS, DAY_MS } from './constants.js';
import { digestDay, digestSendAt, digestZone, untilLocalMidnight } from './digest-time.js';
import { failureMessage } from './failures.js';
import {
  queueReminderSignal,
  reminderDeliveredSignal,
  withdrawRemindersSignal,
  type ReminderItem,
} from './messages.js';

const activities = proxyActivities<IncidentActivities>(ACTIVITY_OPTIONS);

/** Reminders due at the same instant reach this workflow within moments of each other: wait for them all. */
const GATHER_MS = 60_000;
const RETRY_FAILED_SEND_MS = 3_600_000;

export interface ReminderDigestInput {
  /** `user:<id>`, `ic:<id>` or `group:<name>`: who the digest goes to. */
  recipient: string;
  /** Carried over continue-as-new. */
  lastSentDay?: string;
  pending?: ReminderItem[];
  /** Keys of reminders queued in the last two days, so a repeated signal is still recognised. */
  seen?: string[];
  /** Actions that ended: a reminder of theirs is dropped, even one re-queued after a failed send. */
  withdrawn?: string[];
  /** The recipient's time zone when last looked up. */
  timeZone?: string;
}

export const reminderDigestWorkflowId = (recipient: string) => `reminders-${recipient}`;

/**
 * One per person (workflow id `reminders-<recipient>`, started by the first reminder): gathers the
 * reminders of all their corrective actions, across incidents, into one message a day. A reminder for an
 * action that ended before the digest went out is withdrawn and never sent.
 */
export async function reminderDigestWorkflow(input: ReminderDigestInput): Promise<void> {
  const pending: ReminderItem[] = [...(input.pending ?? [])];
  const seen = new Set([...(input.seen ?? []), ...pending.map((item) => item.key)]);
  const withdrawn = new Set(input.withdrawn ?? []);
  let lastSentDay = input.lastSentDay;
  // At 09:00 in the recipient's time zone, looked up before each digest.
  deprecatePatch('digest-local-time');
  let zone = digestZone(input.timeZone);
  const today = () => digestDay(Date.now(), zone);

  const drop = (actionWorkflowId: string) => {
    for (let i = pending.length - 1; i >= 0; i--)
      if (pending[i]!.actionWorkflowId === actionWorkflowId) pending.splice(i, 1);
  };
  setHandler(queueReminderSignal, (item) => {
    if (seen.has(item.key) || withdrawn.has(item.actionWorkflowId)) return;
    seen.add(item.key);
    pending.push(item);
  });
  setHandler(withdrawRemindersSignal, ({ actionWorkflowId }) => {
    withdrawn.add(actionWorkflowId);
    drop(actionWorkflowId);
  });
  const carryOver = (): ReminderDigestInput => {
    const recent = (key: string) => Date.now() - Date.parse(key.split('@')[1] ?? '') < 2 * DAY_MS;
    return {
      recipient: input.recipient,
      lastSentDay,
      pending,
      seen: [...seen].filter(recent),
      withdrawn: [...withdrawn],
      timeZone: zone,
    };
  };

  for (;;) {
    if (pending.length === 0) {
      // After today's digest, stay until midnight: a reminder arriving later today still waits for tomorrow.
      const untilMidnight = lastSentDay !== today() ? 0 : untilLocalMidnight(Date.now(), zone);
      if (untilMidnight <= 0 || !(await condition(() => pending.length > 0, untilMidnight))) return;
    }
    zone = digestZone(await activities.timeZoneOf({ recipient: input.recipient }).catch(() => zone));
    const sendAt = digestSendAt(Date.now(), zone, lastSentDay === today(), GATHER_MS);
    await sleep(Math.max(sendAt - Date.now(), 1));
    const items = pending.splice(0);
    if (items.length === 0) continue;
    try {
      // The key names the day and the items: a retry of this very message is recognised, a different one is not.
      await activities.notify(
        digestOf(
          input.recipient,
          items,
          `${workflowInfo().workflowId}/${today()}/${fingerprint(items.map((i) => i.key))}`,
        ),
      );
    } catch (err) {
      pending.unshift(...items);
      for (const id of withdrawn) drop(id);
      log.warn(`Reminder digest for ${input.recipient} not sent (${failureMessage(err)}); retrying in 1h`);
      await sleep(RETRY_FAILED_SEND_MS);
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof reminderDigestWorkflow>(carryOver());
      continue;
    }
    lastSentDay = today();
    await Promise.all(
      items.map(
        (item) =>
          getExternalWorkflowHandle(item.actionWorkflowId)
            .signal(reminderDeliveredSignal, { recipient: input.recipient, scheduledFor: item.scheduledFor })
            .catch(() => undefined), // the action ended meanwhile; the message went out anyway
      ),
    );
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof reminderDigestWorkflow>(carryOver());
  }
}

function digestOf(recipient: string, items: ReminderItem[], idempotencyKey: string) {
  const lines = items.map(
    (i) =>
      `- ${i.incidentId} ${i.actionId} "${i.title}"${i.ticket ? ` (${i.ticket})` : ''}: ${i.when}${recipient === `user:${i.owner}` ? '' : `, owner ${i.owner}`}`,
  );
  const first = items[0]!;
  return {
    incidentId: [...new Set(items.map((i) => i.incidentId))].join(', '),
    audience: [recipient],
    subject:
      items.length === 1
        ? `Corrective action ${first.when}: ${first.title}`
        : `${items.length} corrective actions need attention`,
    text: lines.join('\n'),
    idempotencyKey,
  };
}

/** FNV-1a over the sorted keys, in hex: short, stable, and the same on every replay. */
function fingerprint(keys: string[]): string {
  let hash = 0x811c9dc5;
  for (const char of [...keys].sort().join('\n')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
