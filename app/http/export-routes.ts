// The audit export (app/export): GET /api/incidents/:id/export, JSON for the auditor or Markdown for people.
import { renderAuditMarkdown } from '../export/audit-markdown.js';
import type { IncidentService } from '../incident-service.js';
import { incidentIdParam } from './incident-param.js';
import type { Route } from './router.js';
import { call } from './service-call.js';
import { incidentParams } from './schemas.js';

export function exportRoutes(service: IncidentService): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/incidents/:id/export',
      auth: 'person',
      docs: {
        summary:
          "The incident's audit record: the timeline as a sha256 hash chain, every decision with its actor and identity source, the runbook snapshot and its sha256, evidence hashes, obligations and submissions, the postmortem",
        description:
          "JSON for the auditor (the record as stored; `incident verify-export FILE` checks it offline), or the same redacted again as Markdown with Accept: text/markdown. Who may: the policy's exportRecord (the IC and group:incident-admins by default) and the responsible group of any of its obligations. On a loopback server with no identity source, say who you are with ?actor=.",
        params: incidentParams,
        produces: ['application/json', 'text/markdown'],
        responses: {
          200: '`{format: "incident-audit-export/1", audience, about, chain: {rule, canonicalForm, genesis, entries, head, seal}, exportedAt, exportedBy, incident, runbook, decisions, evidence, classifications, obligations, postmortem, timeline: [{index, hash, entry}]}`, or the Markdown',
          403: 'Not allowed to export (recorded on the timeline); the answer names who may',
          404: 'No such incident',
        },
      },
      handle: async ({ params, req, who }) => {
        const bundle = await call(() => service.auditExport(incidentIdParam(params), who!));
        if (/text\/(markdown|plain)/.test(req.headers.accept ?? ''))
          return { status: 200, body: renderAuditMarkdown(bundle), contentType: 'text/markdown; charset=utf-8' };
        return { status: 200, body: bundle };
      },
    },
  ];
}
