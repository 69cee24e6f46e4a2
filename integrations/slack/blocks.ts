// The Block Kit of every message and modal the product shows in Slack, in one place.
import type { ApprovalView, ObligationView, StatusView, StepView } from '../chat/provider.js';
import { CATEGORIES, SEVERITIES } from '../../runbooks/vocabulary.js';

export const ACTION_APPROVE = 'step.approve';
export const ACTION_REJECT = 'step.reject';
export const VIEW_DECLARE = 'incident.declare';
export const VIEW_REJECT = 'step.reject';
export const VIEW_UPDATE = 'incident.update';

/** What an Approve / Reject button (and the reject modal) carries: which step of which incident. */
export interface StepRef {
  incidentId: string;
  stepId: string;
}

type Block = Record<string, unknown>;
const text = (t: string) => ({ type: 'mrkdwn', text: t });
const plain = (t: string) => ({ type: 'plain_text', text: t.slice(0, 150), emoji: true });
const section = (t: string): Block => ({ type: 'section', text: text(t.slice(0, 3000)) });
const context = (t: string): Block => ({ type: 'context', elements: [text(t.slice(0, 3000))] });

/**
 * Text people typed (titles, reasons, results), made inert for mrkdwn: `<!channel>` would ping
 * everyone and `<https://evil|Approve>` would dress up a link. Slack's escaping is exactly these three.
 */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack user id as a mention; anyone else (a CLI name, `system`) as written. */
export function who(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : esc(actor);
}

const STATUS_ICONS: Record<string, string> = {
  pending: ':hourglass_flowing_sand:',
  approved: ':white_check_mark:',
  executing: ':gear:',
  verified: ':large_green_circle:',
  failed: ':red_circle:',
  rejected: ':no_entry_sign:',
  expired: ':zzz:',
};

function stepLine(step: StepView): string {
  const decided = step.decision ? ` — ${step.decision.outcome} by ${who(step.decision.by)}` : '';
  const result = step.result ? `\n      _${esc(step.result)}_` : '';
  return `${STATUS_ICONS[step.status] ?? ''} *${esc(step.title)}* (${esc(step.target)}): ${step.status}${decided}${result}`;
}

const OBLIGATION_ICONS: Record<ObligationView['status'], string> = {
  open: ':alarm_clock:',
  met: ':white_check_mark:',
  overdue: ':rotating_light:',
  withdrawn: ':heavy_minus_sign:',
};

function obligationLine(o: ObligationView): string {
  const state =
    o.status === 'met' ? `met ${o.onTime ? 'on time' : 'late'}` : o.status === 'open' ? `due ${o.dueAt}` : o.status;
  return `${OBLIGATION_ICONS[o.status]} *${esc(o.regime)}* (${esc(o.id)}): ${state}`;
}

export function statusMessage(view: StatusView): { text: string; blocks: Block[] } {
  const headline = `${view.incidentId} [${view.severity}] ${view.title}`;
  const facts = [
    `*Status:* ${view.status}`,
    `*Severity:* ${view.severity}`,
    `*IC:* ${who(view.commander)}`,
    `*Awaiting approval:* ${view.pendingApprovals}`,
    ...(view.runbook ? [`*Runbook:* ${esc(view.runbook)}`] : []),
  ];
  return {
    text: esc(`${headline}: ${view.status}, IC ${view.commander}`),
    blocks: [
      { type: 'header', text: plain(headline) },
      { type: 'section', fields: facts.map(text) },
      ...(view.steps.length ? [section(`*Containment*\n${view.steps.map(stepLine).join('\n')}`)] : []),
      ...(view.obligations?.length
        ? [section(`*Obligations*\n${view.obligations.map(obligationLine).join('\n')}`)]
        : []),
      ...(view.latestUpdate ? [section(latestUpdateLine(view.latestUpdate))] : []),
      ...(view.nextUpdateDue ? [context(`Next status update due ${view.nextUpdateDue}`)] : []),
      ...(view.summary ? [section(`*Resolution:* ${esc(view.summary)}`)] : []),
      context('This message is kept current. `/incident help` lists what you can do here.'),
    ],
  };
}

function latestUpdateLine(update: NonNullable<StatusView['latestUpdate']>): string {
  const impact = update.impact ? `\n*Impact:* ${esc(update.impact)}` : '';
  // A section's text is at most 3,000 characters; an update may have 4,000.
  const body = update.text.length > 2_000 ? `${update.text.slice(0, 2_000)}…` : update.text;
  return `*Latest update* (${update.id}, ${update.at}, ${who(update.by)}): ${esc(body)}${impact}`;
}

export function approvalMessage(view: ApprovalView): { text: string; blocks: Block[] } {
  const { step } = view;
  const ref: StepRef = { incidentId: view.incidentId, stepId: step.id };
  const waiting = step.status === 'pending';
  const outcome = step.decision
    ? `${step.decision.outcome === 'approved' ? ':white_check_mark: Approved' : ':no_entry_sign: Rejected'} by ${who(step.decision.by)} at ${step.decision.at}${step.decision.reason ? `: ${esc(step.decision.reason)}` : ''}`
    : `${STATUS_ICONS[step.status] ?? ''} ${step.status}`;
  return {
    text: esc(`${view.incidentId}: ${waiting ? 'decision needed' : step.status}: ${step.title}`),
    blocks: [
      section(
        `*${waiting ? 'Decision needed' : 'Containment step'}: ${esc(step.title)}*\n${esc(step.description)}`.trim(),
      ),
      {
        type: 'section',
        fields: [text(`*Changes:* ${esc(step.target)}`), text(`*May decide:* ${esc(view.approvers)}`)],
      },
      ...(view.evidence ? [context(`:file_folder: ${esc(view.evidence)}`)] : []),
      ...(waiting
        ? [
            {
              type: 'actions',
              block_id: `step:${step.id}`,
              elements: [
                {
                  type: 'button',
                  action_id: ACTION_APPROVE,
                  text: plain('Approve'),
                  style: 'primary',
                  value: JSON.stringify(ref),
                },
                {
                  type: 'button',
                  action_id: ACTION_REJECT,
                  text: plain('Reject'),
                  style: 'danger',
                  value: JSON.stringify(ref),
                },
              ],
            },
          ]
        : [context(outcome)]),
      ...(step.result && !waiting ? [context(esc(step.result))] : []),
    ],
  };
}

const option = (value: string, label = value) => ({ text: plain(label), value });

/** A modal's input block; its element's value is read as `values[block_id].value`. */
const input = (block_id: string, label: string, element: Block, optional = false): Block => ({
  type: 'input',
  block_id,
  label: plain(label),
  element: { action_id: 'value', ...element },
  optional,
});

/** The `/incident declare` modal; its submission declares the incident. */
export function declareModal(runbooks: { id: string; title: string }[], channelId?: string): Block {
  return {
    type: 'modal',
    callback_id: VIEW_DECLARE,
    title: plain('Declare an incident'),
    submit: plain('Declare'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ channelId }),
    blocks: [
      input('title', 'Title', { type: 'plain_text_input', action_id: 'value', max_length: 150 }),
      input(
        'runbook',
        'Runbook',
        {
          type: 'static_select',
          action_id: 'value',
          options: runbooks.slice(0, 100).map((r) => option(r.id, `${r.title} (${r.id})`.slice(0, 75))),
        },
        true,
      ),
      input('category', 'Category', {
        type: 'static_select',
        action_id: 'value',
        options: CATEGORIES.map((c) => option(c)),
      }),
      input('severity', 'Severity', {
        type: 'static_select',
        action_id: 'value',
        options: SEVERITIES.map((s) => option(s)),
      }),
      input(
        'description',
        'What is happening',
        { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 },
        true,
      ),
      input('commander', 'Incident commander (you, if empty)', { type: 'users_select', action_id: 'value' }, true),
    ],
  };
}

/** The `/incident update` form; its submission posts the status update. */
export function updateModal(incidentId: string, channelId?: string): Block {
  return {
    type: 'modal',
    callback_id: VIEW_UPDATE,
    title: plain(`Update ${incidentId}`),
    submit: plain('Post'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ incidentId, channelId }),
    blocks: [
      input('text', 'What is happening', { type: 'plain_text_input', multiline: true, max_length: 3000 }),
      input('impact', 'Impact now', { type: 'plain_text_input', max_length: 300 }, true),
      input('next', 'Next update in (30m, 2h)', { type: 'plain_text_input', max_length: 20 }, true),
      input('visibility', 'Who reads it', {
        type: 'static_select',
        initial_option: option('internal', 'Stakeholders only (internal)'),
        options: [
          option('internal', 'Stakeholders only (internal)'),
          option('public', 'Also the status page (public)'),
        ],
      }),
    ],
  };
}

/** Asks the rejecter why; the reason goes to the workflow with the rejection. */
export function rejectModal(ref: StepRef, stepTitle: string): Block {
  return {
    type: 'modal',
    callback_id: VIEW_REJECT,
    title: plain('Reject step'),
    submit: plain('Reject'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(ref),
    blocks: [
      section(`Reject *${esc(stepTitle)}* of ${ref.incidentId}?`),
      {
        type: 'input',
        block_id: 'reason',
        label: plain('Why'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 2000 },
      },
    ],
  };
}
