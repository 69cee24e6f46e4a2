// The incident page's status updates: those posted, the next one due, and the form to post one (the
// workflow decides who may: the IC or a communicator the runbook names).
import { api, type ConsoleConfig, type IncidentState } from './api.js';
import { formatTime, h, type Child } from './dom.js';
import { requirePerson } from './session.js';

type Act = (what: () => Promise<unknown>, done: string) => Promise<void>;

const NEXT_CHOICES: [string, number][] = [
  ['no promise', 0],
  ['next in 15 min', 15],
  ['next in 30 min', 30],
  ['next in 1 h', 60],
  ['next in 2 h', 120],
];

/** The updates posted (newest first) and when the next is due. */
export function updatesList(state: IncidentState): Child[] {
  const updates = [...(state.updates ?? [])].reverse();
  return [
    h('h2', {}, `Status updates (${updates.length})`),
    state.statusUpdateDue
      ? h('p', { class: 'muted', id: 'update-due' }, `Next update due ${formatTime(state.statusUpdateDue)}`)
      : null,
    updates.length
      ? h(
          'ol',
          { class: 'updates' },
          ...updates.map((u) =>
            h(
              'li',
              { 'data-update': u.id },
              h('time', {}, formatTime(u.at)),
              ` ${u.id} · ${u.by} · ${u.visibility} `,
              h('div', {}, u.text),
              u.impact ? h('div', { class: 'muted' }, `Impact: ${u.impact}`) : null,
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No status update posted yet.'),
  ];
}

/** The form: text, impact, a promised next update, and public (once the incident is on the status page). */
export function updateForm(state: IncidentState, config: ConsoleConfig, act: Act): Child[] {
  if (state.status === 'closed') return [];
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'update-form',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const data = new FormData(form);
        const field = (name: string) => {
          const value = data.get(name);
          return typeof value === 'string' ? value : '';
        };
        const text = field('text');
        const impact = field('impact').trim();
        const nextMinutes = Number(data.get('next') ?? 0);
        void act(async () => {
          await api.post(state.id, 'updates', {
            actor: requirePerson(config),
            text,
            ...(impact ? { impact } : {}),
            ...(nextMinutes ? { nextUpdateAt: new Date(Date.now() + nextMinutes * 60_000).toISOString() } : {}),
            ...(data.get('public') ? { visibility: 'public' } : {}),
          });
          form.reset();
        }, 'Status update posted');
      },
    },
    h('textarea', {
      name: 'text',
      rows: 3,
      maxlength: 4000,
      placeholder: 'What stakeholders should know now',
      'aria-label': 'Status update',
    }),
    h(
      'div',
      { class: 'row' },
      h('input', { name: 'impact', maxlength: 500, placeholder: 'Current impact', 'aria-label': 'Impact' }),
      h(
        'select',
        { name: 'next', 'aria-label': 'Next update' },
        ...NEXT_CHOICES.map(([label, minutes]) => h('option', { value: minutes }, label)),
      ),
      h(
        'label',
        { title: state.publicListing ? '' : 'Publish the incident first: incident publish' },
        h('input', { type: 'checkbox', name: 'public', disabled: !state.publicListing }),
        ' public',
      ),
      h('button', { type: 'submit' }, 'Post update'),
    ),
  );
  return [form];
}
