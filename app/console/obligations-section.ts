// The incident page's classifications and obligations: each clock, due when, its reminders and submissions.
import type { IncidentState } from './api.js';
import { formatTime, h, type Child } from './dom.js';

export function obligationsSection(state: IncidentState): Child[] {
  const obligations = state.obligations ?? [];
  const classifications = state.classifications ?? [];
  if (!obligations.length && !classifications.length) return [];
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
