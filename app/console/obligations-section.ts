// The incident page's classifications and obligations: each clock, due when, its reminders and
// submissions; and the form to classify (the workflow decides who may: the policy's `classify`).
import { api, type ConsoleConfig, type IncidentState } from './api.js';
import { formatDuration, formatTime, h, type Child } from './dom.js';
import { requirePerson } from './session.js';

type Act = (what: () => Promise<unknown>, done: string) => Promise<void>;

/** Those the shipped runbooks name; the server answers an unknown one with the runbook's own list. */
const COMMON_CLASSIFICATIONS = [
  'personal-data-breach',
  'serious-incident',
  'serious-incident:death',
  'widespread-infringement',
  'critical-infrastructure',
];

export function obligationsSection(state: IncidentState): Child[] {
  const obligations = state.obligations ?? [];
  const classifications = state.classifications ?? [];
  if (!obligations.length && !classifications.length)
    return [h('h2', {}, 'Obligations'), h('p', { class: 'muted' }, 'Not classified.')];
  return [
    h('h2', {}, 'Obligations'),
    h(
      'ul',
      { class: 'classifications' },
      ...classifications.map((c) =>
        h(
          'li',
          { 'data-classification': c.classification },
          h('strong', {}, c.classification),
          ` by ${c.by} at ${formatTime(c.at)}, aware ${formatTime(c.awareAt)}: ${c.reason}`,
          c.withdrawn
            ? h('span', { class: 'muted' }, ` (withdrawn by ${c.withdrawn.by}: ${c.withdrawn.reason})`)
            : null,
        ),
      ),
    ),
    h(
      'ul',
      { class: 'obligations' },
      ...obligations.map((o) =>
        h(
          'li',
          { 'data-obligation': o.id, class: `obligation-${o.status}` },
          h('strong', {}, `${o.regime}: ${o.title}`),
          ` — ${o.status === 'met' ? `met ${o.onTime ? 'on time' : 'late'}` : o.status}, due ${formatTime(o.dueAt)} to ${o.recipient}`,
          o.status === 'open' || o.status === 'overdue' ? h('span', { class: 'clock' }, ` (${clock(o.dueAt)})`) : null,
          h(
            'div',
            { class: 'muted' },
            `${o.responsible} responsible; reminders ${o.reminders.map((r) => `${r.percent} %${r.sentAt ? ' sent' : ''}`).join(', ')}`,
          ),
          ...o.submissions.map((s) =>
            h(
              'div',
              {},
              `Submitted ${s.phase}: ${s.reference} by ${s.by} at ${formatTime(s.at)}${s.late ? ` (late: ${s.reasons ?? ''})` : ''}`,
            ),
          ),
          h(
            'a',
            { href: `/api/incidents/${encodeURIComponent(state.id)}/obligations/${encodeURIComponent(o.id)}/draft` },
            'Report draft (JSON)',
          ),
        ),
      ),
    ),
  ];
}

/** `due in 71 h 59 min` or `overdue by 2 h 5 min`, as of this poll. */
function clock(dueAt: string): string {
  const left = Date.parse(dueAt) - Date.now();
  return left >= 0 ? `due in ${formatDuration(left)}` : `overdue by ${formatDuration(-left)}`;
}

/** Classification, when the company became aware (now when left empty), and why. */
export function classifyForm(state: IncidentState, config: ConsoleConfig, act: Act): Child[] {
  if (state.status === 'closed') return [];
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'classify-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const data = new FormData(form);
        const field = (name: string) => {
          const value = data.get(name);
          return typeof value === 'string' ? value.trim() : '';
        };
        const awareAt = field('awareAt');
        void act(
          async () => {
            await api.post(state.id, 'classifications', {
              actor: requirePerson(config),
              classification: field('classification'),
              // datetime-local is the browser's local time: sent as the instant it names.
              ...(awareAt ? { awareAt: new Date(awareAt).toISOString() } : {}),
              reason: field('reason'),
            });
            form.reset();
          },
          `Classified ${field('classification')}`,
        );
      },
    },
    h('h3', {}, 'Classify'),
    h(
      'div',
      { class: 'row' },
      h('input', {
        name: 'classification',
        list: 'known-classifications',
        placeholder: 'personal-data-breach',
        'aria-label': 'Classification',
      }),
      h('datalist', { id: 'known-classifications' }, ...COMMON_CLASSIFICATIONS.map((c) => h('option', { value: c }))),
      h(
        'label',
        {},
        'aware since ',
        h('input', { name: 'awareAt', type: 'datetime-local', step: 1, 'aria-label': 'Aware since (empty: now)' }),
      ),
      h('input', { name: 'reason', maxlength: 2000, placeholder: 'Why (required)', 'aria-label': 'Reason' }),
      h('button', { type: 'submit' }, 'Classify'),
    ),
  );
  return [form];
}
