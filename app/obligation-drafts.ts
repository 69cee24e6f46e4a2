// Report drafts for an incident's obligations: the items each regime requires, filled from what the
// incident recorded (its triage notes, containment steps, classification, times) and otherwise marked
// "not yet known". Nothing is invented: a value is there only when the incident holds it.
import type { IncidentState, ObligationClock } from '../workflows/types.js';

export const NOT_YET_KNOWN = 'not yet known';

export interface DraftItem {
  id: string;
  label: string;
  /** null when the incident does not hold it yet. */
  value: string | null;
  known: boolean;
}

export interface DraftSection {
  title: string;
  items: DraftItem[];
}

export interface ObligationDraft {
  incidentId: string;
  obligationId: string;
  regime: string;
  title: string;
  recipient: string;
  classification: string;
  awareAt: string;
  dueAt: string;
  status: ObligationClock['status'];
  onTime?: boolean;
  submissions: ObligationClock['submissions'];
  sections: DraftSection[];
}

/** The draft for obligation `obligationId` of the incident (the one not withdrawn, else the latest), if it has one. */
export function obligationDraft(state: IncidentState, obligationId: string): ObligationDraft | undefined {
  const clocks = (state.obligations ?? []).filter((o) => o.id === obligationId);
  const clock = clocks.find((o) => o.status !== 'withdrawn') ?? clocks.at(-1);
  if (!clock) return undefined;
  const facts = new Facts(state, clock);
  const sections =
    clock.report === 'gdpr-art-33'
      ? [gdprArt33(facts), nistGv432(facts)]
      : clock.report === 'ai-act-art-73'
        ? [aiActArt73(facts), nistGv432(facts)]
        : [nistGv432(facts)];
  return {
    incidentId: state.id,
    obligationId: clock.id,
    regime: clock.regime,
    title: clock.title,
    recipient: clock.recipient,
    classification: clock.classification,
    awareAt: clock.awareAt,
    dueAt: clock.dueAt,
    status: clock.status,
    ...(clock.onTime !== undefined ? { onTime: clock.onTime } : {}),
    submissions: clock.submissions,
    sections,
  };
}

const item = (id: string, label: string, value: string | undefined): DraftItem => ({
  id,
  label,
  value: value?.trim() ? value.trim() : null,
  known: Boolean(value?.trim()),
});

/** What the incident recorded, read for the drafts. */
class Facts {
  constructor(
    readonly state: IncidentState,
    readonly clock: ObligationClock,
  ) {}

  /** The note of the first done triage item among `ids` (the runbook's checklist). */
  triage(...ids: string[]): string | undefined {
    for (const id of ids) {
      const note = this.state.triage.find((t) => t.id === id)?.done?.note;
      if (note) return note;
    }
    return undefined;
  }

  description(): string {
    const { state } = this;
    return [state.title, state.description].filter((s) => s.trim()).join('. ');
  }

  classifiedBy(): string | undefined {
    const c = (this.state.classifications ?? []).find((k) => k.classification === this.clock.classification);
    return c ? `${c.by}${c.via ? ` (${c.via})` : ''} at ${c.at}: ${c.reason}` : undefined;
  }

  /** The containment steps that ran, each with who approved it and what the read-back showed. */
  measuresTaken(): string | undefined {
    const ran = this.state.steps.filter((s) => ['executed', 'verified'].includes(s.status) && s.kind !== 'undo');
    if (!ran.length) return undefined;
    return ran
      .map(
        (s) =>
          `${s.title} (${s.target}): ${s.status}${s.decision ? `, ${s.decision.outcome} by ${s.decision.by} at ${s.decision.at}` : ''}${s.result ? `; ${s.result}` : ''}`,
      )
      .join('; ');
  }

  /** Steps still awaiting a decision, and open corrective actions: the measures proposed. */
  measuresProposed(): string | undefined {
    const pending = this.state.steps.filter((s) => s.status === 'pending').map((s) => `${s.title} (awaiting approval)`);
    const actions = this.state.actions
      .filter((a) => a.status === 'open')
      .map((a) => `${a.id} ${a.title} (${a.kind}, due ${a.dueAt.slice(0, 10)})`);
    const all = [...pending, ...actions];
    return all.length ? all.join('; ') : undefined;
  }

  lateReasons(): string | undefined {
    return this.clock.submissions.find((s) => s.late)?.reasons;
  }
}

/** GDPR Art. 33(3)(a)–(d), and the reasons for a delay (Art. 33(1)). */
function gdprArt33(f: Facts): DraftSection {
  const { state, clock } = f;
  return {
    title: 'GDPR Art. 33(3): notification of a personal data breach',
    items: [
      item(
        '33-3-a-nature',
        '(a) Nature of the personal data breach',
        [f.description(), f.triage('path')].filter(Boolean).join('. Path: '),
      ),
      item('33-3-a-data-categories', '(a) Categories of personal data concerned', f.triage('data-class')),
      item(
        '33-3-a-subjects-records',
        '(a) Categories and approximate number of data subjects and of personal data records concerned',
        f.triage('affected'),
      ),
      item(
        '33-3-b-contact',
        '(b) Name and contact details of the data protection officer or other contact point',
        `${clock.responsible} (responsible for this notification); incident commander ${state.commander}`,
      ),
      item(
        '33-3-c-consequences',
        '(c) Likely consequences of the personal data breach',
        f.triage('consequences', 'impact'),
      ),
      item(
        '33-3-d-measures-taken',
        '(d) Measures taken to address the breach and mitigate its effects',
        f.measuresTaken(),
      ),
      item('33-3-d-measures-proposed', '(d) Measures proposed', f.measuresProposed()),
      item('33-1-aware', 'Became aware (Art. 33(1))', clock.awareAt),
      item('33-1-delay', 'Reasons for the delay, if later than 72 hours (Art. 33(1))', f.lateReasons()),
    ],
  };
}

/** EU AI Act Art. 73: the initial report (Art. 73(5) allows an incomplete one, completed later). */
function aiActArt73(f: Facts): DraftSection {
  const { state, clock } = f;
  return {
    title: 'EU AI Act Art. 73: serious incident report (initial)',
    items: [
      item('73-system', 'High-risk AI system concerned', state.service),
      item('73-type', 'Type of serious incident (Art. 3(49))', clock.classification),
      item('73-occurred', 'When it occurred (or began)', state.detectedAt),
      item('73-aware', 'When the provider became aware', clock.awareAt),
      item('73-description', 'Description of the incident', f.description()),
      item('73-affected', 'Persons, groups or infrastructure affected', f.triage('affected', 'impact')),
      item('73-member-state', 'Member State(s) where it occurred', undefined),
      item(
        '73-causal-link',
        'Causal link between the AI system and the incident (established or reasonably likely)',
        f.triage('cause', 'root-cause'),
      ),
      item('73-measures', 'Corrective measures taken', f.measuresTaken()),
      item(
        '73-6-evidence',
        'Art. 73(6): the system left unaltered for the investigation, or what was changed and when',
        f.measuresTaken(),
      ),
      item('73-classified', 'Classified by', f.classifiedBy()),
    ],
  };
}

/** NIST AI 600-1 GV-4.3-002: the minimum criteria of a GAI incident report. */
function nistGv432(f: Facts): DraftSection {
  const { state } = f;
  const firstReport = f.clock.submissions[0]?.at;
  return {
    title: 'NIST AI 600-1 GV-4.3-002: incident report fields',
    items: [
      item('system-id', 'System ID', state.id),
      item('title', 'Title', state.title),
      item('reporter', 'Reporter', f.classifiedBy()),
      item(
        'system-source',
        'System / source',
        [state.service, state.runbook ? `runbook ${state.runbook.id}` : undefined].filter(Boolean).join(', '),
      ),
      item(
        'data-reported',
        'Data reported',
        [f.clock.classification, f.triage('data-class')].filter(Boolean).join(': '),
      ),
      item('date-of-report', 'Date of report', firstReport),
      item('description', 'Description', f.description()),
      item('impacts', 'Impact(s)', f.triage('impact', 'consequences', 'affected')),
      item('stakeholders', 'Stakeholder(s) impacted', f.triage('affected', 'impact')),
    ],
  };
}

export function renderObligationDraft(draft: ObligationDraft): string {
  const status =
    draft.status === 'met'
      ? `met (${draft.onTime ? 'on time' : 'late'})`
      : draft.status === 'open'
        ? 'open: not yet submitted'
        : draft.status;
  return [
    `# Report draft: ${draft.regime} for ${draft.incidentId}`,
    '',
    `${draft.title}. To: ${draft.recipient}.`,
    '',
    `- Classification: ${draft.classification}`,
    `- Aware since: ${draft.awareAt}`,
    `- Due: ${draft.dueAt}`,
    `- Status: ${status}`,
    ...draft.submissions.map(
      (s) =>
        `- Submitted (${s.phase}): ${s.reference} by ${s.by} at ${s.at}${s.late ? `, late: ${s.reasons ?? ''}` : ''}`,
    ),
    '',
    'Each item is filled from the incident, or marked _not yet known_: complete those before you submit.',
    ...draft.sections.flatMap((section) => [
      '',
      `## ${section.title}`,
      '',
      ...section.items.map((i) => `- **${i.label}**: ${i.known ? i.value! : `_${NOT_YET_KNOWN}_`}`),
    ]),
    '',
  ].join('\n');
}
