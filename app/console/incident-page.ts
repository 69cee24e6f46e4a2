// One incident, live: header and links, steps awaiting a decision with Approve / Reject, containment
// results with their evidence, the timeline, corrective actions, the postmortem draft, and the IC's forms.
// It polls the API and redraws a section only when its data changed, so a half-typed reason is never wiped.
import { api, ApiError, type ConsoleConfig, type IncidentState } from './api.js';
import { formatTime, h, replaceChildren, type Child } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { evidenceList, evidenceOverrideForm } from './evidence-section.js';
import { classifyForm, obligationsSection } from './obligations-section.js';
import { requirePerson } from './session.js';
import { updateForm, updatesList } from './updates-section.js';

const POLL_MS = 1_500;

export async function incidentPage(root: HTMLElement, config: ConsoleConfig, id: string): Promise<() => void> {
  const sections = {
    header: h('header', { class: 'incident-header' }),
    notice: h('div', { class: 'notice', role: 'alert', id: 'notice' }),
    pending: h('section', { id: 'pending' }),
    results: h('section', { id: 'results' }),
    updates: h('section', { id: 'updates' }),
    updateForm: h('section', { id: 'update-form' }),
    commands: h('section', { id: 'commands' }),
    publish: h('section', { id: 'publish' }),
    actions: h('section', { id: 'actions' }),
    obligations: h('section', { id: 'obligations' }),
    classifyForm: h('section', { id: 'classify-form' }),
    postmortem: h('section', { id: 'postmortem' }),
    timeline: h('section', { id: 'timeline' }),
  };
  replaceChildren(root, h('p', {}, h('a', { href: '#/' }, '← incidents')), ...Object.values(sections));
  const drawn = new Map<string, string>();
  let state: IncidentState;

  /** Runs a change and shows what the server said: the workflow decides, the page only reports. */
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      replaceChildren(sections.notice, h('span', { class: 'ok' }, done));
      await refresh();
    } catch (err) {
      const refused = err instanceof ApiError && err.status === 403;
      replaceChildren(
        sections.notice,
        h(
          'span',
          { class: 'error' },
          refused ? `Refused: ${err.message}` : err instanceof Error ? err.message : String(err),
        ),
      );
    }
  };
  const draw = (key: keyof typeof sections, data: unknown, render: () => Child[]) => {
    const json = JSON.stringify(data);
    if (drawn.get(key) === json) return;
    drawn.set(key, json);
    replaceChildren(sections[key], ...render());
  };

  async function refresh() {
    state = await api.incident(id);
    const links = [
      webUrl(state.channel?.url)
        ? h('a', { href: state.channel!.url!, target: '_blank', rel: 'noopener' }, `Slack #${state.channel!.name}`)
        : null,
      webUrl(state.record?.url)
        ? h('a', { href: state.record!.url, target: '_blank', rel: 'noopener' }, `Ticket ${state.record!.key}`)
        : state.record
          ? `Ticket ${state.record.key}`
          : null,
      config.temporalUiUrl
        ? h(
            'a',
            {
              href: `${config.temporalUiUrl}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(id)}`,
              target: '_blank',
              rel: 'noopener',
            },
            'Temporal workflow',
          )
        : null,
    ];
    draw(
      'header',
      [state.title, state.severity, state.status, state.commander, links.length, state.channel, state.record],
      () => [
        h('h1', {}, h('span', { class: `sev sev-${state.severity}` }, state.severity), ` ${state.id}: ${state.title}`),
        h(
          'p',
          { class: 'facts' },
          h('strong', { id: 'status' }, state.status),
          ` · IC ${state.commander} · declared ${formatTime(state.declaredAt)} by ${state.declaredBy}`,
          state.runbook ? ` · runbook ${state.runbook.title}` : '',
        ),
        h('p', { class: 'links' }, ...links.filter(Boolean).flatMap((l) => [l!, ' '])),
        state.description ? h('p', {}, state.description) : null,
      ],
    );

    const pending = state.steps.filter((s) => s.status === 'pending');
    draw('pending', [pending, state.evidence], () => [
      h('h2', {}, `Awaiting a decision (${pending.length})`),
      ...pending.map((step) => {
        const reason = h('input', {
          name: 'reason',
          placeholder: 'Why reject? (required)',
          'aria-label': `Reason to reject ${step.id}`,
        });
        return h(
          'div',
          { class: 'step pending', 'data-step': step.id },
          h('h3', {}, step.title),
          h('p', {}, `Changes: ${step.target}`),
          evidenceList(state, step),
          step.decisionDue
            ? h('p', { class: 'muted' }, `Escalates or times out ${formatTime(step.decisionDue)}`)
            : null,
          h(
            'p',
            { class: 'muted' },
            `May decide: ${step.approvers.join(', ').replace(/\bic\b/, `ic (${state.commander})`)}`,
          ),
          h(
            'button',
            {
              class: 'approve',
              onclick: () =>
                void act(
                  () =>
                    api.post(id, 'approvals', { stepId: step.id, decision: 'approve', actor: requirePerson(config) }),
                  `Approved "${step.title}"`,
                ),
            },
            'Approve',
          ),
          ' ',
          reason,
          h(
            'button',
            {
              class: 'reject',
              onclick: () =>
                void act(async () => {
                  if (!reason.value.trim()) throw new Error('Give a reason to reject.');
                  await api.post(id, 'approvals', {
                    stepId: step.id,
                    decision: 'reject',
                    actor: requirePerson(config),
                    reason: reason.value,
                  });
                }, `Rejected "${step.title}"`),
            },
            'Reject',
          ),
        );
      }),
    ]);

    const decided = state.steps.filter((s) => s.status !== 'pending');
    draw('results', [decided, state.evidence], () => [
      h('h2', {}, 'Containment'),
      decided.length
        ? h(
            'ul',
            { class: 'results' },
            ...decided.map((s) =>
              h(
                'li',
                { 'data-step': s.id, class: `step-${s.status}` },
                h('strong', {}, s.title),
                ` — ${s.status}`,
                s.decision
                  ? ` (${s.decision.outcome} by ${identified(s.decision.by, s.decision.via)}${s.decision.reason ? `: ${s.decision.reason}` : ''})`
                  : '',
                s.result ? h('div', { class: 'muted' }, s.result) : null,
                evidenceList(state, s),
                evidenceOverrideForm(state, s, config, act),
              ),
            ),
          )
        : h('p', { class: 'muted' }, 'No step decided yet.'),
    ]);

    draw('updates', [state.updates, state.statusUpdateDue], () => updatesList(state));
    draw('updateForm', [state.status, Boolean(state.publicListing)], () => updateForm(state, config, act));
    draw('commands', [state.status], () => commandForms());
    draw('publish', [state.status, state.publicListing], () => publishForm());
    draw('actions', state.actions, () => actionsSection());
    draw('obligations', [state.classifications, state.obligations, clockMinute()], () => obligationsSection(state));
    draw('classifyForm', [state.status], () => classifyForm(state, config, act));
    draw('postmortem', state.postmortem, () =>
      state.postmortem
        ? [
            h('h2', {}, 'Postmortem draft'),
            renderMarkdown(state.postmortem.markdown),
            state.postmortem.completedAt
              ? h(
                  'p',
                  { class: 'muted' },
                  `Completed by ${state.postmortem.completedBy} at ${formatTime(state.postmortem.completedAt)}`,
                )
              : h(
                  'button',
                  {
                    onclick: () =>
                      void act(
                        () => api.post(id, 'postmortem/complete', { actor: requirePerson(config) }),
                        'Postmortem marked complete',
                      ),
                  },
                  'Mark the postmortem complete',
                ),
          ]
        : [],
    );
    draw('timeline', state.timeline, () => [
      h('h2', {}, 'Timeline'),
      h(
        'ol',
        { class: 'timeline' },
        ...state.timeline.map((e) =>
          h(
            'li',
            { 'data-type': e.type },
            h('time', {}, formatTime(e.at)),
            ' ',
            h('span', { class: 'actor' }, e.actor),
            e.via && e.via !== 'system' ? h('span', { class: 'muted via' }, ` (${e.via})`) : '',
            ' ',
            e.message,
          ),
        ),
      ),
    ]);
  }

  function commandForms(): Child[] {
    if (state.status === 'resolved' || state.status === 'postmortem' || state.status === 'closed') return [];
    const summary = h('input', {
      name: 'summary',
      placeholder: 'What resolved it',
      'aria-label': 'Resolution summary',
    });
    const severity = h(
      'select',
      { name: 'severity', 'aria-label': 'Severity' },
      ...config.severities.map((s) => h('option', { value: s, selected: s === state.severity }, s)),
    );
    return [
      h('h2', {}, 'Incident commander'),
      h(
        'div',
        { class: 'row' },
        severity,
        h(
          'button',
          {
            onclick: () =>
              void act(
                () => api.post(id, 'severity', { actor: requirePerson(config), severity: severity.value }),
                `Severity set to ${severity.value}`,
              ),
          },
          'Set severity',
        ),
      ),
      h(
        'div',
        { class: 'row' },
        summary,
        h(
          'button',
          {
            class: 'resolve',
            onclick: () =>
              void act(
                () => api.post(id, 'resolve', { actor: requirePerson(config), summary: summary.value }),
                'Resolved',
              ),
          },
          'Resolve',
        ),
      ),
    ];
  }

  /** The public status page (/status): publish under a public title, or change it. */
  function publishForm(): Child[] {
    if (state.status === 'closed') return [];
    const listing = state.publicListing;
    const title = h('input', {
      name: 'publicTitle',
      placeholder: 'Title the public reads',
      maxlength: 200,
      value: listing?.title ?? '',
      'aria-label': 'Public title',
    });
    return [
      h('h2', {}, 'Status page'),
      h(
        'p',
        { class: 'muted' },
        listing
          ? h('span', {}, `Public since ${formatTime(listing.since)} on `, h('a', { href: '/status' }, '/status'))
          : 'Not on the public status page.',
      ),
      h(
        'div',
        { class: 'row' },
        title,
        h(
          'button',
          {
            class: 'publish',
            onclick: () =>
              void act(
                () => api.post(id, 'publish', { actor: requirePerson(config), title: title.value }),
                `On the status page as "${title.value.trim()}"`,
              ),
          },
          listing ? 'Change public title' : 'Publish',
        ),
      ),
    ];
  }

  function actionsSection(): Child[] {
    const form = h(
      'form',
      {
        class: 'row',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const data = Object.fromEntries(new FormData(form) as unknown as Iterable<[string, string]>);
          void act(
            () =>
              api.post(id, 'actions', {
                actor: requirePerson(config),
                kind: data.kind,
                title: data.title,
                owner: data.owner,
                ...(data.dueAt ? { dueAt: data.dueAt } : {}),
              }),
            `Action added: ${data.title}`,
          );
        },
      },
      h(
        'select',
        { name: 'kind', 'aria-label': 'Kind' },
        ...config.actionKinds.map((k) => h('option', { value: k }, k)),
      ),
      h('input', { name: 'title', placeholder: 'Corrective action', required: true, 'aria-label': 'Action title' }),
      h('input', { name: 'owner', placeholder: 'Owner', required: true, 'aria-label': 'Owner' }),
      h('input', { name: 'dueAt', type: 'date', 'aria-label': 'Due' }),
      h('button', { type: 'submit' }, 'Add action'),
    );
    return [
      h('h2', {}, 'Corrective actions'),
      state.actions.length
        ? h(
            'table',
            { class: 'actions' },
            h('thead', {}, h('tr', {}, ...['Action', 'Owner', 'Due', 'State', ''].map((c) => h('th', {}, c)))),
            h(
              'tbody',
              {},
              ...state.actions.map((a) => {
                const reason = h('input', { placeholder: 'Why waive?', 'aria-label': `Reason to waive ${a.id}` });
                return h(
                  'tr',
                  { 'data-action': a.id },
                  h(
                    'td',
                    {},
                    `${a.id} ${a.title} (${a.kind})`,
                    a.ticket
                      ? [
                          ' ',
                          webUrl(a.ticket.url)
                            ? h('a', { href: a.ticket.url, target: '_blank', rel: 'noopener' }, a.ticket.key)
                            : a.ticket.key,
                        ]
                      : '',
                  ),
                  h('td', {}, a.owner),
                  h('td', {}, a.dueAt.slice(0, 10)),
                  h('td', { class: `action-${a.status}` }, a.status, a.onTime === false ? ' (late)' : ''),
                  h(
                    'td',
                    {},
                    a.status === 'open'
                      ? [
                          h(
                            'button',
                            {
                              onclick: () =>
                                void act(
                                  () => api.post(id, `actions/${a.id}/close`, { actor: requirePerson(config) }),
                                  `${a.id} closed`,
                                ),
                            },
                            'Close',
                          ),
                          ' ',
                          reason,
                          h(
                            'button',
                            {
                              onclick: () =>
                                void act(
                                  () =>
                                    api.post(id, `actions/${a.id}/waive`, {
                                      actor: requirePerson(config),
                                      reason: reason.value,
                                    }),
                                  `${a.id} waived`,
                                ),
                            },
                            'Waive',
                          ),
                        ]
                      : '',
                  ),
                );
              }),
            ),
          )
        : h('p', { class: 'muted' }, 'None yet.'),
      state.status === 'closed' ? '' : form,
    ];
  }

  await refresh();
  const timer = setInterval(() => void refresh().catch(() => undefined), POLL_MS);
  return () => clearInterval(timer);
}

/** The obligation clocks are redrawn once a minute, not at every poll. */
const clockMinute = () => Math.floor(Date.now() / 60_000);

/** Links only to the web: a URL in incident state never becomes a `javascript:` (or `file:`) link. */
function webUrl(url: string | undefined): boolean {
  return url !== undefined && /^https?:\/\//i.test(url);
}

/** `alice (oidc)`: who decided and how they were identified, where the incident knows. */
function identified(actor: string, via: string | undefined): string {
  return via ? `${actor} (${via})` : actor;
}
