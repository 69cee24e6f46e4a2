// The console's shell: who is acting (from the authenticating proxy, typed in on loopback, or nobody),
// and the three pages by hash: #/ (incidents), #/incidents/<id>, #/kpis.
import { api, ApiError, offerSignIn, setTypedName, typedName, type ConsoleConfig } from './api.js';
import { h, replaceChildren } from './dom.js';
import { incidentPage } from './incident-page.js';
import { incidentsPage } from './incidents-page.js';
import { kpisPage } from './kpis-page.js';

const main = document.getElementById('main')!;
const identity = document.getElementById('identity')!;
let leave: (() => void) | undefined;

function identityBar(config: ConsoleConfig): HTMLElement {
  const { mode, user, via, signIn } = config.identity;
  if (mode === 'verified') {
    const signOut =
      via === 'oidc'
        ? [
            ' ',
            h(
              'button',
              { id: 'sign-out', onclick: () => void api.signOut().then(() => location.reload()) },
              'Sign out',
            ),
          ]
        : [];
    return h('span', {}, 'Signed in as ', h('strong', { id: 'whoami' }, user ?? '?'), ` (${via})`, ...signOut);
  }
  if (mode === 'read-only') {
    if (signIn)
      return h(
        'span',
        {},
        h('a', { id: 'sign-in', href: `${signIn}?return=${encodeURIComponent(`/${location.hash}`)}` }, 'Sign in'),
        ' to act; until then the console can only read.',
      );
    return h(
      'span',
      { class: 'warning' },
      'Not signed in: this server acts only for people it can identify (a personal API token, or your proxy).',
    );
  }
  const name = h('input', {
    id: 'name',
    value: typedName(),
    placeholder: 'your name',
    'aria-label': 'Your name',
    onchange: () => setTypedName(name.value),
  });
  return h(
    'span',
    {},
    'Acting as ',
    name,
    ' ',
    h('span', { class: 'warning' }, 'unauthenticated (loopback only): anyone on this machine can type any name'),
  );
}

async function route(config: ConsoleConfig) {
  leave?.();
  leave = undefined;
  const path = location.hash.replace(/^#/, '') || '/';
  for (const link of document.querySelectorAll('nav a'))
    link.classList.toggle(
      'active',
      path.startsWith(link.getAttribute('href')!.slice(1)) && link.getAttribute('href') !== '#/'
        ? true
        : path === '/' && link.getAttribute('href') === '#/',
    );
  try {
    const incident = /^\/incidents\/(INC-[0-9A-Z]{5})$/.exec(path);
    if (incident) leave = await incidentPage(main, config, incident[1]!);
    else if (path === '/kpis') leave = await kpisPage(main, config);
    else leave = await incidentsPage(main, config);
  } catch (err) {
    replaceChildren(
      main,
      h(
        'p',
        { class: 'error' },
        err instanceof ApiError && err.status === 404
          ? err.message
          : `Could not load this page: ${(err as Error).message}`,
      ),
    );
  }
}

const config = await api.config();
if (config.identity.signIn) offerSignIn();
replaceChildren(identity, identityBar(config));
window.addEventListener('hashchange', () => void route(config));
await route(config);
