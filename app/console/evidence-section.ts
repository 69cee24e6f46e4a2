// A containment step's evidence on the incident page: each snapshot (at the approval request, right before
// the change) in the words the approval request uses, and, for a step held for its evidence, the IC's
// override with a reason (the workflow decides who may: only the IC).
import { describeEvidence, heldForEvidence } from '../../workflows/incident/evidence-summary.js';
import { api, type ConsoleConfig, type IncidentState } from './api.js';
import { formatTime, h, type Child } from './dom.js';
import { requirePerson } from './session.js';

type Step = IncidentState['steps'][number];
type Act = (what: () => Promise<unknown>, done: string) => Promise<void>;

/** The step's snapshots, oldest first; nothing when none was taken. */
export function evidenceList(state: IncidentState, step: Step): Child {
  const records = (state.evidence ?? []).filter((record) => record.stepId === step.id);
  if (!records.length) return null;
  return h(
    'ul',
    { class: 'evidence' },
    ...records.map((record) =>
      h(
        'li',
        { 'data-moment': record.moment, class: `evidence-${record.status}` },
        `${record.moment === 'requested' ? 'At the request' : 'Before the change'} (${formatTime(record.capturedAt)}): `,
        describeEvidence(record),
        record.sha256
          ? h('code', { class: 'hash', title: 'sha256 of the stored snapshot' }, ` ${record.sha256}`)
          : null,
        record.location ? h('span', { class: 'muted' }, ` ${record.location}`) : null,
      ),
    ),
  );
}

/** For a step approved but waiting for its evidence: why, and the IC's way to let it run without. */
export function evidenceOverrideForm(state: IncidentState, step: Step, config: ConsoleConfig, act: Act): Child {
  if (!heldForEvidence(state, step)) return null;
  const reason = h('input', {
    name: 'reason',
    placeholder: 'Why may it run without its evidence? (required)',
    'aria-label': `Reason to run ${step.id} without its evidence`,
  });
  return h(
    'div',
    { class: 'evidence-held' },
    h('strong', {}, 'Held for its evidence. '),
    reason,
    h(
      'button',
      {
        class: 'override-evidence',
        onclick: () =>
          void act(async () => {
            if (!reason.value.trim()) throw new Error('Give a reason to run the step without its evidence.');
            await api.post(state.id, `steps/${encodeURIComponent(step.id)}/evidence-override`, {
              actor: requirePerson(config),
              reason: reason.value,
            });
          }, `"${step.title}" runs without its evidence`),
      },
      'Run without evidence',
    ),
  );
}
