import {
  allHandlersFinished,
  condition,
  deprecatePatch,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/index.js';
import { durationMs, formatDuration } from '../runbooks/duration.js';
import { reminderSchedule, type Reminder } from './action-schedule.js';
import type { ReminderPolicy } from '../runbooks/reminder-policy.js';
import { ACTIVITY_OPTIONS, DAY_MS, SYSTEM } from './constants.js';
import { digestZone } from './digest-time.js';
import { failureMessage } from './failures.js';
import {
  actionChangedSignal,
  commanderChangedSignal,
  getActionQuery,
  reminderDeliveredSignal,
  ticketClosedSignal,
  waiveSignal,
  type ActionWaived,
  type TicketClosed,
} from './messages.js';
import type { CorrectiveAction, Severity, TimelineType } from './types.js';

const activities = proxyActivities<IncidentActivities>(ACTIVITY_OPTIONS);

export interface CorrectiveActionInput {
  incidentId: string;
  incidentTitle: string;
  severity: Severity;
  commander: string;
  action: CorrectiveAction;
  reminders: ReminderPolicy;
}

/**
 * One corrective action, from its ticket to its end: reminds the owner before and after the due date,
 * escalates to the IC and then the managers, and ends when the ticket closes (signal from a webhook or
 * the API, or found by polling when the tracker has no webhooks) or the IC waives it.
 */
export async function correctiveActionWorkflow(input: CorrectiveActionInput): Promise<CorrectiveAction> {
  const action: CorrectiveAction = { ...input.action };
  let commander = input.commander;
  let closed: TicketClosed | undefined;
  let waived: ActionWaived | undefined;
  const ended = () => closed !== undefined || waived !== undefined;

  setHandler(getActionQuery, () => action);
  // The first of closure and waiver wins: a waiver arriving after the ticket closed changes nothing.
  setHandler(ticketClosedSignal, (signal) => void (ended() || (closed = signal)));
  setHandler(waiveSignal, (signal) => void (ended() || (waived = signal)));
  setHandler(commanderChangedSignal, ({ commander: next }) => void (commander = next));

  /** Tells the incident; an incident that is gone (terminated by an operator) must not stop the action. */
  const report = async (type: TimelineType, actor: string, message: string, data: Record<string, unknown> = {}) => {
    const event = { at: new Date().toISOString(), type, actor, message, data: { actionId: action.id, ...data } };
    try {
      await getExternalWorkflowHandle(input.incidentId).signal(actionChangedSignal, { action: { ...action }, event });
    } catch {
      // The action's own history keeps the record.
    }
  };

  let pollEvery: number | undefined;
  try {
    const opened = await activities.openTicket({
      externalId: `${input.incidentId}/${action.id}`,
      incidentId: input.incidentId,
      title: `[${input.incidentId}] ${action.title}`,
      body: `Corrective action (${action.kind}) from ${input.severity} incident ${input.incidentId}: ${input.incidentTitle}.\nOwner: ${action.owner}. Due: ${action.dueAt}.`,
      kind: action.kind,
      severity: input.severity,
      owner: action.owner,
      dueAt: action.dueAt,
      labels: ['incident-action', `incident:${input.incidentId}`, `action:${action.kind}`],
    });
    action.ticket = opened.ticket;
    pollEvery = opened.pollEvery === undefined ? undefined : durationMs(opened.pollEvery);
    await report(
      'action.ticket-opened',
      SYSTEM,
      `${action.id}: ticket ${opened.ticket.key} filed (${opened.ticket.provider})`,
    );
  } catch (err) {
    await report(
      'action.ticket-failed',
      SYSTEM,
      `${action.id}: could not file a ticket: ${failureMessage(err)}; tracked here only`,
    );
  }

  const owner = `user:${action.owner}`;
  const relativeToDue = (at: number) => {
    const overdueFor = at - Date.parse(action.dueAt);
    return overdueFor < 0
      ? `due in ${formatDuration(-overdueFor)}`
      : overdueFor === 0
        ? 'due now'
        : `overdue by ${formatDuration(overdueFor)}`;
  };
  /** Whom reminders went to lately, so that an ending action can take back any still waiting in a digest. */
  const queuedTo = new Map<string, number>();

  /** Hands the reminder to each recipient's daily digest; the digest reports back once it went out. */
  const remind = async ({ at, kinds }: Reminder) => {
    const recipients = new Set([owner]);
    if (kinds.includes('escalate-ic')) recipients.add(`ic:${commander}`);
    if (kinds.includes('escalate-managers'))
      for (const ref of input.reminders.managers) recipients.add(ref === 'ic' ? `ic:${commander}` : ref);
    const scheduledFor = new Date(at).toISOString();
    const when = relativeToDue(at);
    const actionWorkflowId = workflowInfo().workflowId;
    for (const recipient of recipients) {
      const item = {
        key: `${actionWorkflowId}@${scheduledFor}@${recipient}`,
        actionWorkflowId,
        incidentId: input.incidentId,
        actionId: action.id,
        title: action.title,
        owner: action.owner,
        ...(action.ticket ? { ticket: action.ticket.key } : {}),
        dueAt: action.dueAt,
        scheduledFor,
        when,
      };
      try {
        await activities.queueReminder({ recipient, item });
        queuedTo.set(recipient, at);
      } catch (err) {
        await report(
          'action.reminder-failed',
          SYSTEM,
          `${action.id}: could not remind ${recipient}: ${failureMessage(err)}`,
          { scheduledFor },
        );
      }
    }
  };

  setHandler(reminderDeliveredSignal, async ({ recipient, scheduledFor }) => {
    if (ended()) return;
    if (recipient === owner) action.reminders++;
    else if (!recipient.startsWith('ic:')) action.escalation = 'managers';
    else if (action.escalation === 'owner') action.escalation = 'ic';
    const when = relativeToDue(Date.parse(scheduledFor));
    await report(
      recipient === owner ? 'action.reminded' : 'action.escalated',
      SYSTEM,
      `${action.id} ${when}: told ${recipient}`,
      { scheduledFor },
    );
  });

  // On the owner's clock (the directory's time zone), as their digest is.
  deprecatePatch('action-reminder-local-time');
  const ownerZone = digestZone(await activities.timeZoneOf({ recipient: owner }).catch(() => undefined));
  const schedule = reminderSchedule(action.dueAt, input.reminders, ownerZone);
  let next = schedule.next().value as Reminder;
  while (next.at <= Date.now() && next.at < Date.parse(action.dueAt)) next = schedule.next().value as Reminder;
  let nextPoll = pollEvery === undefined ? Infinity : Date.now() + pollEvery;

  while (!ended()) {
    const wake = Math.min(next.at, nextPoll);
    if (await condition(ended, Math.max(wake - Date.now(), 1))) break;
    if (Date.now() >= next.at) {
      await remind(next);
      next = schedule.next().value as Reminder;
    }
    if (Date.now() >= nextPoll && action.ticket) {
      nextPoll = Date.now() + pollEvery!;
      try {
        const status = await activities.ticketStatus(action.ticket);
        if (status.closed)
          closed ??= {
            by: status.closedBy ?? `${action.ticket.provider} (polled)`,
            ...(status.closedAt ? { closedAt: status.closedAt } : {}),
          };
      } catch (err) {
        await report(
          'action.poll-failed',
          SYSTEM,
          `${action.id}: could not read ticket ${action.ticket.key}: ${failureMessage(err)}`,
        );
      }
    }
  }

  const now = Date.now();
  // A reminder still waiting in someone's digest must not go out for an action that ended.
  const recent = [...queuedTo].filter(([, at]) => Date.now() - at < 2 * DAY_MS).map(([recipient]) => recipient);
  if (recent.length) {
    await activities
      .withdrawReminders({ recipients: recent, actionWorkflowId: workflowInfo().workflowId })
      .catch(() => undefined);
  }

  if (waived) {
    Object.assign(action, {
      status: 'waived',
      endedAt: new Date(now).toISOString(),
      endedBy: waived.by,
      waiverReason: waived.reason,
    });
    await report('action.waived', waived.by, `${action.id} waived: ${waived.reason}`);
  } else {
    const reported = closed!.closedAt ? Date.parse(closed!.closedAt) : NaN;
    const endedAt = Number.isNaN(reported) ? now : Math.min(reported, now);
    const onTime = endedAt <= Date.parse(action.dueAt);
    Object.assign(action, { status: 'closed', endedAt: new Date(endedAt).toISOString(), endedBy: closed!.by, onTime });
    const lateBy = endedAt - Date.parse(action.dueAt);
    await report(
      'action.closed',
      closed!.by,
      `${action.id} closed ${onTime ? 'on time' : `${formatDuration(lateBy)} late`}: ${action.title}`,
    );
  }
  await condition(allHandlersFinished);
  return action;
}
