import { condition, getExternalWorkflowHandle, proxyActivities, setHandler } from '@temporalio/workflow';
import type { IncidentActivities } from '../activities/index.js';
import { durationMs, formatDuration } from '../runbooks/duration.js';
import { reminderSchedule, type Reminder, type ReminderPolicy } from './action-schedule.js';
import { failureMessage } from './failures.js';
import {
  actionChangedSignal,
  commanderChangedSignal,
  getActionQuery,
  ticketClosedSignal,
  waiveSignal,
  type ActionWaived,
  type TicketClosed,
} from './messages.js';
import type { CorrectiveAction, Severity } from './model.js';

const activities = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export interface CorrectiveActionInput {
  incidentId: string;
  incidentTitle: string;
  severity: Severity;
  commander: string;
  action: CorrectiveAction;
  reminders: ReminderPolicy;
}

const SYSTEM = 'system';

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
  setHandler(ticketClosedSignal, (signal) => void (closed ??= signal));
  setHandler(waiveSignal, (signal) => void (waived ??= signal));
  setHandler(commanderChangedSignal, ({ commander: next }) => void (commander = next));

  /** Tells the incident; an incident that is gone (terminated by an operator) must not stop the action. */
  const report = async (type: string, actor: string, message: string, data: Record<string, unknown> = {}) => {
    const event = { at: new Date().toISOString(), type, actor, message, data: { actionId: action.id, ...data } };
    try {
      await getExternalWorkflowHandle(input.incidentId).signal(actionChangedSignal, { action: { ...action }, event });
    } catch {
      // The action's own history keeps the record.
    }
  };

  const label = `${input.incidentId} ${action.id} "${action.title}"`;
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
    await report('action.ticket-opened', SYSTEM, `${action.id}: ticket ${opened.ticket.key} filed (${opened.ticket.provider})`);
  } catch (err) {
    await report('action.ticket-failed', SYSTEM, `${action.id}: could not file a ticket: ${failureMessage(err)}; tracked here only`);
  }

  const remind = async ({ at, kinds }: Reminder) => {
    const audience = [`user:${action.owner}`];
    if (kinds.includes('escalate-ic')) audience.push(`ic:${commander}`);
    if (kinds.includes('escalate-managers')) audience.push(...input.reminders.managers);
    const overdueFor = Date.now() - Date.parse(action.dueAt);
    const when = overdueFor < 0 ? `due in ${formatDuration(-overdueFor)}` : overdueFor === 0 ? 'due now' : `overdue by ${formatDuration(overdueFor)}`;
    const ticket = action.ticket ? ` (${action.ticket.key})` : '';
    try {
      await activities.notify({
        incidentId: input.incidentId,
        audience,
        subject: `Corrective action ${when}: ${action.title}`,
        text: `${label}${ticket}, owner ${action.owner}, due ${action.dueAt}: ${when}.`,
      });
    } catch (err) {
      await report('action.reminder-failed', SYSTEM, `${action.id}: could not remind ${audience.join(', ')}: ${failureMessage(err)}`);
      return;
    }
    action.reminders++;
    if (kinds.includes('escalate-managers')) action.escalation = 'managers';
    else if (kinds.includes('escalate-ic')) action.escalation = 'ic';
    const escalated = kinds.some((k) => k.startsWith('escalate'));
    await report(escalated ? 'action.escalated' : 'action.reminded', SYSTEM, `${action.id} ${when}: told ${audience.join(', ')}`, {
      scheduledFor: new Date(at).toISOString(),
    });
  };

  const schedule = reminderSchedule(action.dueAt, input.reminders);
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
        if (status.closed) closed ??= { by: status.closedBy ?? `${action.ticket.provider} (polled)`, ...(status.closedAt ? { closedAt: status.closedAt } : {}) };
      } catch (err) {
        await report('action.poll-failed', SYSTEM, `${action.id}: could not read ticket ${action.ticket.key}: ${failureMessage(err)}`);
      }
    }
  }

  const now = Date.now();
  if (waived) {
    Object.assign(action, { status: 'waived', endedAt: new Date(now).toISOString(), endedBy: waived.by, waiverReason: waived.reason });
    await report('action.waived', waived.by, `${action.id} waived: ${waived.reason}`);
  } else {
    const reported = closed!.closedAt ? Date.parse(closed!.closedAt) : NaN;
    const endedAt = Number.isNaN(reported) ? now : Math.min(reported, now);
    const onTime = endedAt <= Date.parse(action.dueAt);
    Object.assign(action, { status: 'closed', endedAt: new Date(endedAt).toISOString(), endedBy: closed!.by, onTime });
    const lateBy = endedAt - Date.parse(action.dueAt);
    await report('action.closed', closed!.by, `${action.id} closed ${onTime ? 'on time' : `${formatDuration(lateBy)} late`}: ${action.title}`);
  }
  return action;
}
