// The status page as an Atom feed (RFC 4287): one entry per public update, its id and link the update's
// anchor on the page, every time from the data (the feed reads the same until something is posted).
import type { StatusDocument } from './public-view.js';

/** What XML 1.0 cannot carry even escaped (anything outside its Char production: most C0 controls, U+FFFE/FFFF, lone surrogates) is dropped. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** `base`: the server's public URL without a trailing slash (PUBLIC_URL). */
export function renderAtomFeed(doc: StatusDocument, base: string, { title = 'Service status' } = {}): string {
  const page = `${base}/status`;
  const entries = doc.incidents.flatMap((incident) =>
    incident.updates.map((update) => {
      const anchor = `${page}#${incident.id}-${update.id}`;
      return [
        '  <entry>',
        `    <id>${escapeXml(anchor)}</id>`,
        `    <title>${escapeXml(incident.title)}</title>`,
        `    <updated>${escapeXml(update.at)}</updated>`,
        `    <published>${escapeXml(update.at)}</published>`,
        `    <link rel="alternate" type="text/html" href="${escapeXml(anchor)}"/>`,
        `    <content type="text">${escapeXml(update.impact ? `${update.text}\n\nImpact: ${update.impact}` : update.text)}</content>`,
        '  </entry>',
      ].join('\n');
    }),
  );
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(page)}</id>`,
    `  <title>${escapeXml(title)}</title>`,
    `  <updated>${escapeXml(doc.updatedAt)}</updated>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(page)}"/>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(`${page}/feed.atom`)}"/>`,
    `  <author><name>${escapeXml(title)}</name></author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
