// The status page as HTML: readable on a phone, every value escaped, no script, its one style sheet
// inline and allowed by its hash in the Content-Security-Policy (nothing else may load).
import { createHash } from 'node:crypto';
import type { PublicIncident, StatusDocument } from './public-view.js';

const STYLE = `
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
main { max-width: 44rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
article { background: #fff; border: 1px solid #d8dde3; border-radius: 8px; padding: 1rem; margin: 0 0 1rem; }
.state { display: inline-block; font-size: 0.85rem; font-weight: 600; padding: 0 0.5rem; border-radius: 1rem; }
.investigating { background: #fde2e1; color: #8a1c17; }
.mitigated { background: #fff1c2; color: #6b4d00; }
.resolved { background: #dcf3e3; color: #175a2c; }
.meta, .none { color: #57606a; font-size: 0.9rem; }
ol { list-style: none; padding: 0; margin: 0.75rem 0 0; }
li { border-top: 1px solid #eaeef2; padding: 0.5rem 0; overflow-wrap: anywhere; white-space: pre-line; }
footer { color: #57606a; font-size: 0.85rem; }
`.trim();

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Nothing may load but the inline style above; no script, no frame, no form. */
export const STATUS_PAGE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const LABELS: Record<PublicIncident['state'], string> = {
  investigating: 'Investigating',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `2026-05-01 14:03 UTC`, in a <time> element carrying the exact instant. */
function time(iso: string): string {
  const shown = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(shown)}</time>`;
}

function incidentHtml(incident: PublicIncident): string {
  const updates = incident.updates.length
    ? `<ol>${incident.updates
        .map(
          (u) =>
            `<li id="${escapeHtml(`${incident.id}-${u.id}`)}"><span class="meta">${time(u.at)}${u.impact ? ` · Impact: ${escapeHtml(u.impact)}` : ''}</span>\n${escapeHtml(u.text)}</li>`,
        )
        .join('')}</ol>`
    : '<p class="none">No updates yet.</p>';
  return [
    `<article id="${escapeHtml(incident.id)}">`,
    `<h2>${escapeHtml(incident.title)}</h2>`,
    `<span class="state ${incident.state}">${LABELS[incident.state]}</span>`,
    incident.impact ? `<p>Impact: ${escapeHtml(incident.impact)}</p>` : '',
    `<p class="meta">Started ${time(incident.startedAt)}${incident.resolvedAt ? ` · Resolved ${time(incident.resolvedAt)}` : ''}</p>`,
    updates,
    '</article>',
  ].join('\n');
}

export function renderStatusPage(doc: StatusDocument, { title = 'Service status' }: { title?: string } = {}): string {
  const open = doc.incidents.filter((i) => i.state !== 'resolved').length;
  const summary = open
    ? `${open} ongoing incident${open === 1 ? '' : 's'}`
    : doc.incidents.length
      ? 'No ongoing incidents'
      : 'No incidents reported';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(title)}" href="/status/feed.atom">
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="summary">${summary}</p>
${doc.incidents.map(incidentHtml).join('\n')}
<footer>Also as a <a href="/status/feed.atom">feed</a> and as <a href="/status.json">JSON</a>.</footer>
</main>
</body>
</html>
`;
}
