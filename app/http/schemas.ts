import { z } from 'zod';
import { ACTION_KINDS, CATEGORIES, SEVERITIES } from '../../workflows/types.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../incident-index.js';
import { PUBLIC_TITLE_MAX, publicTitleProblem } from '../../workflows/public-listing.js';
import { LIST_STATUSES, MAX_FILTER_LENGTH, UNSAFE_IN_QUERY } from '../incident-query.js';

export const person = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'must name a person')
  .max(200, 'must be at most 200 characters');
/** Who acts is the verified identity; a body may name it (it must match) or, on an open loopback server with no identity source, give it. */
export const actor = person
  .optional()
  .describe(
    'who acts: must be the verified person, or absent; required only on an open loopback server with no identity source',
  );
const severity = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });

export const declareBody = z.object({
  title: z
    .string({ error: 'is required (a short description of what is wrong)' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters'),
  category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }),
  severity,
  description: z.string().max(20_000, 'must be at most 20000 characters').optional(),
  commander: person.optional(),
  declaredBy: actor,
  runbook: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a runbook id such as prompt-injection-tool-misuse')
    .optional(),
  detectedAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO date-time such as 2026-11-27T09:30:00Z' })
    .optional(),
  service: z.string().trim().min(1).max(200, 'must be at most 200 characters').optional(),
});

export const decisionBody = z
  .object({
    stepId: z.string({ error: 'is required' }).trim().min(1, 'must not be empty'),
    decision: z.enum(['approve', 'reject'], { error: 'must be "approve" or "reject"' }),
    actor,
    reason: z.string().trim().max(2000).optional(),
  })
  .refine((body) => body.decision === 'approve' || body.reason, { path: ['reason'], message: 'is required to reject' });

export const resolveBody = z.object({
  actor: person,
  summary: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(20_000),
});

export const severityBody = z.object({ actor, severity });
export const commanderBody = z.object({ actor, commander: person });

export const triageBody = z.object({ actor, note: z.string().trim().max(2000).optional() });

export const actorBody = z.object({ actor });

export const publishBody = z.object({
  actor,
  title: z
    .string({ error: 'is required (the title the public reads on the status page)' })
    .superRefine((value, ctx) => {
      const problem = publicTitleProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(`the public title: at most ${PUBLIC_TITLE_MAX} characters, no control characters`),
});

/** A status update (workflows/incident/status-update-handlers.ts holds the same bounds). */
export const statusUpdateBody = z.object({
  actor,
  text: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'must not be empty')
    .max(4_000, 'must be at most 4000 characters')
    .describe('the update, as the stakeholders read it'),
  impact: z.string().trim().max(500, 'must be at most 500 characters').optional().describe('the current impact'),
  nextUpdateAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO date-time such as 2026-11-27T09:30:00Z' })
    .optional()
    .describe('when the next update is promised; sooner than the cadence, it is the due time'),
  visibility: z
    .enum(['internal', 'public'], { error: 'must be "internal" or "public"' })
    .optional()
    .describe('`public` also shows it on the status page, once the incident is published; `internal` by default'),
});

export const addActionBody = z.object({
  actor: person,
  kind: z.enum(ACTION_KINDS, { error: `must be one of ${ACTION_KINDS.join(', ')}` }),
  title: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'must not be empty')
    .max(300, 'must be at most 300 characters'),
  owner: person,
  dueAt: z
    .string()
    .trim()
    .refine(
      (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) || z.iso.datetime({ offset: true }).safeParse(v).success,
      'must be a date (2026-12-24) or an ISO date-time',
    )
    .optional(),
});

export const waiveBody = z.object({
  actor: person,
  reason: z
    .string({ error: 'is required (why the action is not needed)' })
    .trim()
    .min(1, 'must not be empty')
    .max(2000),
});

// Query strings are read as they come (an unknown status lists the open incidents); these describe them.
const filterText = (what: string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_FILTER_LENGTH, `must be at most ${MAX_FILTER_LENGTH} characters`)
    .refine((value) => !UNSAFE_IN_QUERY.test(value), 'may not contain quotes, backslashes or control characters')
    .optional()
    .describe(what);
export const listQuery = z.object({
  status: z
    .enum(LIST_STATUSES, { error: `must be one of ${LIST_STATUSES.join(', ')}` })
    .optional()
    .describe('open (the default): not closed; all: closed ones too; or one status'),
  severity: severity.optional(),
  runbook: filterText('the id of the runbook the incidents run'),
  commander: filterText('the incident commander'),
  service: filterText('the affected service (`declare --service`)'),
  since: z.string().optional().describe('declared since: a duration back from now (30d, 12h) or an ISO date'),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`))
    .optional()
    .describe(`incidents per page: ${DEFAULT_PAGE_SIZE} by default, at most ${MAX_PAGE_SIZE}`),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,4096}$/, 'must be the `next` of a previous page')
    .optional()
    .describe('where to go on: the `next` of the previous page (opaque)'),
});
export const kpiQuery = z.object({
  since: z.string().optional().describe('a duration back from now (30d, 12h) or an ISO date; default 30d'),
});
export const incidentParams = z.object({ id: z.string().describe('the incident, e.g. INC-7K3QX (any case)') });
export const triageParams = incidentParams.extend({ itemId: z.string().describe('a triage item of its runbook') });
export const actionParams = incidentParams.extend({ actionId: z.string().describe('a corrective action, e.g. A1') });
