// The audit export for people: the same bundle in Markdown, every value passed through the redactor
// again (the JSON beside it is the auditor's evidence; this is what gets mailed and printed).
import { redact } from '../../integrations/redaction/redact.js';
import type { AuditBundle } from './audit-bundle.js';
import { IDENTITY_SOURCE_MEANING } from './audit-decisions.js';

/** Redacted, on one line: the redactor caps each call at 64 KB, so it is called per value, never on the document. */
const r = (value: string | number | undefined): string => redact(String(value ?? '')).replace(/\s*\n\s*/g, ' ');

export function renderAuditMarkdown(bundle: AuditBundle): string {
  const { incident, chain, runbook } = bundle;
  const lines = [
    `# Audit record: ${r(incident.id)} ${r(incident.title)}`,
    '',
    `Exported ${r(bundle.exportedAt)} by ${r(bundle.exportedBy.actor)} (${r(bundle.exportedBy.via)}). For people, redacted again; the JSON export beside it is the auditor's record (${r(bundle.format)}).`,
    '',
    `- ${r(incident.severity)} ${r(incident.category)}, ${r(incident.status)}; incident commander ${r(incident.commander)}`,
    `- Declared ${r(incident.declaredAt)} by ${r(incident.declaredBy)}${incident.resolvedAt ? `; resolved ${r(incident.resolvedAt)}` : ''}${incident.closedAt ? `; closed ${r(incident.closedAt)}` : ''}`,
    '',
    '## Hash chain',
    '',
    `- ${chain.entries} timeline entries; head \`${chain.head}\`; seal \`${chain.seal.sha256}\``,
    `- Canonical form: ${r(chain.canonicalForm)}`,
    `- Rule: ${r(chain.rule)}`,
    `- Check it offline: \`incident verify-export ${r(incident.id)}.export.json\`, or without our code:`,
    '',
    '```sh',
    chain.example,
    '```',
    '',
    '## Decisions',
    '',
    ...(bundle.decisions.length
      ? bundle.decisions.map(
          (d) =>
            `- ${r(d.at)} **${r(d.decision)}** by ${r(d.actor)}, ${d.via === 'unrecorded' ? 'identity source' : `identified by ${d.via}`} (${d.identity}): ${r(d.message)} [entry ${d.index}]`,
        )
      : ['None recorded.']),
    '',
    'Identity sources: ' +
      Object.entries(IDENTITY_SOURCE_MEANING)
        .map(([via, meaning]) => `${via}: ${meaning}`)
        .join('; ') +
      '.',
    '',
    '## Runbook',
    '',
    `- ${r(runbook.id)} "${r(runbook.title)}" (${r(runbook.file)}), sha256 \`${r(runbook.sha256)}\``,
    runbook.source !== undefined
      ? `- The file's text is in the JSON (runbook.source); its sha256 ${runbook.sourceSha256 === runbook.sha256 ? 'matches' : 'DOES NOT match'}`
      : `- ${r(runbook.note)}`,
    '',
    '## Evidence',
    '',
    ...(bundle.evidence.length
      ? bundle.evidence.map((e) => `- step ${r(e.stepId)}: ${r(e.status)}, sha256 \`${r(e.sha256)}\``)
      : ['No evidence snapshots recorded.']),
    '',
    '## Classifications and obligations',
    '',
    ...bundle.classifications.map(
      (c) =>
        `- ${r(c.classification)} by ${r(c.by)} (${r(c.via ?? 'unrecorded')}) at ${r(c.at)}, aware ${r(c.awareAt)}: ${r(c.reason)}${c.withdrawn ? `; withdrawn by ${r(c.withdrawn.by)} (${r(c.withdrawn.via ?? 'unrecorded')}) at ${r(c.withdrawn.at)}: ${r(c.withdrawn.reason)}` : ''}`,
    ),
    ...bundle.obligations.flatMap((o) => [
      `- **${r(o.regime)}** ${r(o.title)}: ${r(o.status)}${o.onTime === undefined ? '' : o.onTime ? ' (on time)' : ' (late)'}, aware ${r(o.awareAt)}, due ${r(o.dueAt)} to ${r(o.recipient)}; ${r(o.responsible)} responsible`,
      ...o.submissions.map(
        (s) =>
          `  - ${r(s.phase)} submitted ${r(s.at)} by ${r(s.by)} (${r(s.via ?? 'unrecorded')}), reference ${r(s.reference)}${s.late ? `; late: ${r(s.reasons)}` : ''}`,
      ),
    ]),
    ...(bundle.classifications.length || bundle.obligations.length ? [] : ['None.']),
    '',
    '## Postmortem',
    '',
    ...(bundle.postmortem
      ? [
          bundle.postmortem.completedAt
            ? `Completed ${r(bundle.postmortem.completedAt)} by ${r(bundle.postmortem.completedBy)}.`
            : `Draft of ${r(bundle.postmortem.draftedAt)}, not completed.`,
          '',
          ...bundle.postmortem.markdown.split('\n').map((line) => redact(line)),
        ]
      : ['Not written yet (the incident is not resolved).']),
    '',
    '## Timeline',
    '',
    ...bundle.timeline.map(
      ({ index, hash, entry }) =>
        `${index}. ${r(entry.at)} ${r(entry.type)} ${r(entry.actor)}${entry.via ? ` (${r(entry.via)})` : ''}: ${r(entry.message)} \`${hash.slice(0, 16)}\``,
    ),
    '',
  ];
  return lines.join('\n');
}
