// The incidents list, a page at a time from the server (its filters: status, severity, runbook; closed
// ones on demand; more pages on request), and a form to declare one. Everything shown comes from the
// list itself: no incident is read one by one, so it stays as fast at 10,000 incidents as at 10.
import { api, type ConsoleConfig, type IncidentSummary, type RunbookInfo } from './api.js';
import { formatDuration, h, replaceChildren } from './dom.js';
import { requirePerson } from './session.js';

const PAGE_SIZE = 100;

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
          onchange: (e: Event) => (
            ((filters[name] as string) = (e.target as HTMLSelectElement).value),
            (pages = 1),
            void load()
          ),
        },
        h('option', { value: '' }, 'any'),
        ...options.map((o) => h('option', { value: o }, o)),
      ),
    );

  /** Pages loaded beyond the first (kept across the refresh), and where the next one starts. */
  let pages = 1;
  let next: string | undefined;
  const more = h(
    'button',
    { type: 'button', class: 'more', hidden: true, onclick: () => ((pages += 1), void load()) },
    'Show more',
  );
  const query = (): Record<string, string> => ({
    limit: String(PAGE_SIZE),
    status: filters.status || (filters.closed ? 'all' : 'open'),
    ...(filters.severity ? { severity: filters.severity } : {}),
    ...(filters.runbook ? { runbook: filters.runbook } : {}),
  });

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
          onchange: (e: Event) => ((filters.closed = (e.target as HTMLInputElement).checked), (pages = 1), void load()),
        }),
        ' show closed',
      ),
    ),
    table,
    more,
    declareForm(config, runbooks),
  );

  async function load() {
    const shown: IncidentSummary[] = [];
    next = undefined;
    for (let page = 0; page < pages; page++) {
      const answer = await api.incidents({ ...query(), ...(next ? { cursor: next } : {}) });
      shown.push(...answer.incidents);
      next = answer.next;
      if (!next) break;
    }
    more.hidden = next === undefined;
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
              ...shown.map((summary) =>
                h(
                  'tr',
                  { class: summary.open ? 'open' : 'closed', 'data-incident': summary.id },
                  h('td', {}, h('a', { href: `#/incidents/${summary.id}` }, summary.id)),
                  h('td', {}, h('span', { class: `sev sev-${summary.severity}` }, summary.severity ?? '')),
                  h('td', {}, summary.title),
                  h('td', {}, summary.status ?? ''),
                  h('td', {}, summary.commander ?? ''),
                  h('td', {}, formatDuration(Date.now() - Date.parse(summary.declaredAt))),
                  h('td', {}, summary.runbook ?? ''),
                  h('td', { class: 'pending-count' }, String(summary.pendingSteps ?? '')),
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
