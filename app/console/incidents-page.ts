// The incidents list: open ones first, filters by status, severity and runbook, closed ones on demand,
// and a form to declare one.
import { api, type ConsoleConfig, type IncidentState, type IncidentSummary, type RunbookInfo } from './api.js';
import { formatDuration, h, replaceChildren } from './dom.js';
import { requirePerson } from './session.js';

interface Row {
  summary: IncidentSummary;
  state?: IncidentState;
}

export async function incidentsPage(root: HTMLElement, config: ConsoleConfig): Promise<() => void> {
  const filters = { status: '', severity: '', runbook: '', closed: false };
  const [runbooks] = await Promise.all([api.runbooks()]);
  const table = h('div', { id: 'incident-table' }, 'Loading…');
  const select = (name: keyof typeof filters, label: string, options: string[]) =>
    h(
      'label',
      {},
      `${label} `,
      h(
        'select',
        {
          name,
          onchange: (e: Event) => (((filters[name] as string) = (e.target as HTMLSelectElement).value), void load()),
        },
        h('option', { value: '' }, 'any'),
        ...options.map((o) => h('option', { value: o }, o)),
      ),
    );

  replaceChildren(
    root,
    h('h1', {}, 'Incidents'),
    h(
      'div',
      { class: 'filters' },
      select('status', 'Status', ['declared', 'triaging', 'mitigated', 'resolved', 'postmortem', 'closed']),
      select('severity', 'Severity', config.severities),
      select(
        'runbook',
        'Runbook',
        runbooks.map((r) => r.id),
      ),
      h(
        'label',
        {},
        h('input', {
          type: 'checkbox',
          name: 'closed',
          onchange: (e: Event) => ((filters.closed = (e.target as HTMLInputElement).checked), void load()),
        }),
        ' show closed',
      ),
    ),
    table,
    declareForm(config, runbooks),
  );

  async function load() {
    const summaries = await api.incidents(filters.closed);
    // The list comes from search attributes; each shown incident's state adds its runbook and waiting approvals.
    const rows: Row[] = await Promise.all(
      summaries.map(async (summary) => ({ summary, state: await api.incident(summary.id).catch(() => undefined) })),
    );
    const shown = rows
      .filter(
        ({ summary, state }) =>
          (!filters.status || summary.status === filters.status) &&
          (!filters.severity || summary.severity === filters.severity) &&
          (!filters.runbook || state?.runbook?.id === filters.runbook),
      )
      .sort(
        (a, b) =>
          Number(b.summary.open) - Number(a.summary.open) || b.summary.declaredAt.localeCompare(a.summary.declaredAt),
      );
    replaceChildren(
      table,
      shown.length
        ? h(
            'table',
            { class: 'incidents' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['Incident', 'Severity', 'Title', 'Status', 'IC', 'Age', 'Runbook', 'Awaiting approval'].map((c) =>
                  h('th', {}, c),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              ...shown.map(({ summary, state }) =>
                h(
                  'tr',
                  { class: summary.open ? 'open' : 'closed', 'data-incident': summary.id },
                  h('td', {}, h('a', { href: `#/incidents/${summary.id}` }, summary.id)),
                  h('td', {}, h('span', { class: `sev sev-${summary.severity}` }, summary.severity ?? '')),
                  h('td', {}, summary.title),
                  h('td', {}, summary.status ?? ''),
                  h('td', {}, summary.commander ?? ''),
                  h('td', {}, formatDuration(Date.now() - Date.parse(summary.declaredAt))),
                  h('td', {}, state?.runbook?.id ?? ''),
                  h(
                    'td',
                    { class: 'pending-count' },
                    String(state?.steps.filter((s) => s.status === 'pending').length ?? ''),
                  ),
                ),
              ),
            ),
          )
        : h(
            'p',
            {},
            filters.closed ? 'No incidents match.' : 'No open incidents match. Tick "show closed" for the others.',
          ),
    );
  }

  await load();
  const timer = setInterval(() => void load().catch(() => undefined), 5_000);
  return () => clearInterval(timer);
}

function declareForm(config: ConsoleConfig, runbooks: RunbookInfo[]): HTMLElement {
  const message = h('p', { role: 'status' });
  const form = h(
    'form',
    {
      onsubmit: (e: Event) => {
        e.preventDefault();
        const data = Object.fromEntries(new FormData(form) as unknown as Iterable<[string, string]>);
        void (async () => {
          try {
            const person = requirePerson(config);
            const body: Record<string, string> = {
              title: data.title!,
              category: data.category!,
              severity: data.severity!,
              declaredBy: person,
            };
            if (data.description) body.description = data.description;
            if (data.commander) body.commander = data.commander;
            if (data.runbook) body.runbook = data.runbook;
            const { id } = await api.declare(body);
            location.hash = `#/incidents/${id}`;
          } catch (err) {
            replaceChildren(message, h('span', { class: 'error' }, (err as Error).message));
          }
        })();
      },
    },
    h('label', {}, 'Title ', h('input', { name: 'title', required: true, maxlength: 200 })),
    h(
      'label',
      {},
      'Category ',
      h('select', { name: 'category' }, ...config.categories.map((c) => h('option', { value: c }, c))),
    ),
    h(
      'label',
      {},
      'Severity ',
      h(
        'select',
        { name: 'severity' },
        ...config.severities.map((s) => h('option', { value: s, selected: s === 'P2' }, s)),
      ),
    ),
    h(
      'label',
      {},
      'Runbook ',
      h(
        'select',
        { name: 'runbook' },
        h('option', { value: '' }, 'by category'),
        ...runbooks.map((r) => h('option', { value: r.id }, r.title)),
      ),
    ),
    h('label', {}, 'IC (you, if empty) ', h('input', { name: 'commander' })),
    h('label', { class: 'wide' }, 'What is happening ', h('textarea', { name: 'description', rows: 2 })),
    h('button', { type: 'submit' }, 'Declare'),
    message,
  );
  return h('details', { class: 'declare' }, h('summary', {}, 'Declare an incident'), form);
}
