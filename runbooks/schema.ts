import { z } from 'zod';
import { CATEGORIES, SEVERITIES } from './vocabulary.js';
import { durationPattern } from './duration.js';
import { DEFAULT_REMINDER_POLICY } from './reminder-policy.js';
import { runbookPolicySchema } from './policy.js';
import { hostEntryProblem } from './http-targets.js';
import { obligationsSchema } from './obligations.js';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and "-"');
const severity = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });
const duration = z.string().regex(durationPattern, 'must be a duration such as 30s, 15m, 4h or 14d');
const flagKey = z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a flag key (letters, digits, ".", "_", "-")');
const bySeverity = <T extends z.ZodType>(value: T) => z.partialRecord(severity, value);

/** `ic` (the current incident commander), `user:<id>` or `group:<name>` (runbooks/groups.yaml). */
export const approverRef = z
  .string()
  .regex(/^(ic|user:\S+|group:[a-z0-9][a-z0-9-]*)$/, 'must be "ic", "user:<id>" or "group:<name>"');

const approval = z
  .strictObject({
    required: z.boolean().default(true).describe('false: the step runs as soon as it is proposed'),
    approvers: z.array(approverRef).min(1).default(['ic']).describe('who may approve or reject'),
    timeout: duration.default('15m').describe('how long to wait for a decision before escalating'),
    timeoutBySeverity: bySeverity(duration).default({}).describe('tighter timeouts at higher severities'),
    escalation: z
      .array(z.array(approverRef).min(1))
      .default([])
      .describe('approvers added, level by level, each time the timeout passes without a decision'),
    preApprovedAt: z
      .array(severity)
      .default([])
      .describe('at these severities the step runs when its timeout passes without a decision'),
  })
  .default({
    required: true,
    approvers: ['ic'],
    timeout: '15m',
    timeoutBySeverity: {},
    escalation: [],
    preApprovedAt: [],
  });

const actionReminders = z.strictObject({
  before: z
    .array(duration)
    .default(DEFAULT_REMINDER_POLICY.before)
    .describe('remind the owner this long before the due date'),
  overdueEvery: duration
    .default(DEFAULT_REMINDER_POLICY.overdueEvery)
    .describe('remind the owner this often once the action is overdue (whole days, rounded up)'),
  escalateToIcAfter: duration
    .default(DEFAULT_REMINDER_POLICY.escalateToIcAfter)
    .describe('overdue this long: the IC is told too'),
  escalateToManagersAfter: duration
    .default(DEFAULT_REMINDER_POLICY.escalateToManagersAfter)
    .describe('overdue this long: the managers are told too'),
  managers: z
    .array(approverRef)
    .min(1)
    .default(DEFAULT_REMINDER_POLICY.managers)
    .describe('who hears about long-overdue actions'),
  digestAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 09:00')
    .default(DEFAULT_REMINDER_POLICY.digestAt)
    .describe(
      "reminders go out on their day at this time on the owner's clock (the directory's timezone, else UTC), one message per person per day",
    ),
});

const stepBase = {
  id: slug,
  title: z.string().min(1),
  description: z.string().default(''),
  approval,
  preserveEvidence: z
    .enum(['required', 'preferred'], { error: 'must be "required" or "preferred"' })
    .optional()
    .describe(
      'evidence of what the step changes is captured before it runs; required: the step does not run until it is captured, or the IC overrides (preferred, the default, never holds it up)',
    ),
};

/** Who verification evaluates a flag for with LaunchDarkly's SDK: the users, tenant or agent the incident affects. */
const verificationContext = z
  .looseObject({
    kind: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'must be a context kind such as user or organization')
      .default('user'),
    key: z.string().min(1, 'must name the context key'),
  })
  .optional()
  .describe(
    'the LaunchDarkly context the change is verified for (kind, key, attributes); an anonymous user by default',
  );
const flagStep = { ...stepBase, context: verificationContext };

const httpRequest = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  url: z.string().regex(/^(https?:\/\/|\$\{env:[A-Z0-9_]+\})/, 'must be an http(s) URL, or start with ${env:NAME}'),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .describe('values may use ${env:NAME} (names RUNBOOK_ENV_ALLOW allows); they are never recorded'),
  body: z.unknown().optional().describe('sent as JSON; ${env:NAME} is not filled in here'),
});

const hostEntry = z.string().superRefine((entry, ctx) => {
  const problem = hostEntryProblem(entry);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const httpTargets = z
  .strictObject({
    allowedHosts: z
      .array(hostEntry)
      .min(1)
      .describe(
        'the only hosts its http steps may call: names (api.example.com, *.example.com), IP addresses, CIDR ranges. Loopback, link-local, private and cloud metadata addresses need their address (or range; metadata: the address) listed',
      ),
  })
  .optional()
  .describe('where http steps may connect; without it, any host whose address is public');

export const containmentStepSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      ...flagStep,
      kind: z.literal('flag'),
      flag: flagKey,
      action: z.enum(['off', 'on', 'serve']),
      value: z.unknown().optional().describe('the value to serve, with action: serve'),
    }),
    z.strictObject({
      ...flagStep,
      kind: z.literal('model-rollback'),
      flag: flagKey
        .optional()
        .describe('the flag whose variation selects the model or prompt version (LaunchDarkly or the local flag file)'),
      model: z
        .string()
        .min(1)
        .optional()
        .describe(
          'or: the registered model whose alias serves production (MLflow Model Registry or the local registry)',
        ),
      alias: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/, 'must be an alias name such as champion')
        .default('champion')
        .describe('with model: the alias to move back'),
      to: z
        .string()
        .min(1)
        .describe('with flag: the pinned earlier version to serve; with model: a version number, or "previous"'),
    }),
    z.strictObject({ ...flagStep, kind: z.literal('disable-tool'), tool: z.string().min(1), flag: flagKey }),
    z.strictObject({ ...flagStep, kind: z.literal('rate-limit'), flag: flagKey, value: z.number().nonnegative() }),
    z.strictObject({
      ...flagStep,
      kind: z.literal('quarantine-index'),
      flag: flagKey.describe('the flag that names the retrieval index in use'),
      lastKnownGood: z.string().min(1),
    }),
    z.strictObject({
      ...stepBase,
      kind: z.literal('http'),
      request: httpRequest,
      verify: z
        .strictObject({
          request: httpRequest.optional().describe('defaults to a GET of the same URL'),
          expectStatus: z.number().int().default(200),
          expectBodyIncludes: z.string().optional(),
        })
        .optional(),
      undo: z.strictObject({ request: httpRequest }).optional(),
    }),
  ],
  { error: 'kind must be one of flag, model-rollback, disable-tool, rate-limit, quarantine-index, http' },
);

/** A runbook's evidence source: read (GET) before each containment step changes the system, its answer hashed and stored. */
const evidenceSource = z.strictObject({
  id: slug,
  title: z.string().min(1),
  request: z.strictObject({
    method: z.literal('GET', { error: 'evidence is only read: method must be GET' }).default('GET'),
    url: httpRequest.shape.url,
    headers: httpRequest.shape.headers,
  }),
});

const labelMatcher = z.strictObject({
  label: z.string().min(1),
  op: z.enum(['=', '!=', '=~', '!~']).default('='),
  value: z.string(),
});

export const runbookSchema = z
  .strictObject({
    id: slug,
    title: z.string().min(1),
    description: z.string().min(1),
    references: z
      .array(
        z.strictObject({
          framework: z.enum(['OWASP-LLM-2025', 'NIST-AI-600-1', 'GDPR', 'EU-AI-Act']),
          item: z.string().min(1),
        }),
      )
      .default([])
      .describe(
        'the OWASP Top 10 for LLM Applications 2025 and NIST AI 600-1 items this runbook covers, and the GDPR and EU AI Act articles its obligations follow',
      ),
    match: z
      .strictObject({
        categories: z
          .array(z.enum(CATEGORIES))
          .default([])
          .describe('declared incidents of these categories use this runbook'),
        alerts: z
          .array(z.array(labelMatcher).min(1))
          .default([])
          .describe('an alert matching every matcher of any entry uses it'),
      })
      .default({ categories: [], alerts: [] }),
    fallback: z.boolean().default(false).describe('used when no other runbook matches; exactly one runbook sets it'),
    severity: z
      .strictObject({
        default: severity,
        rules: z.array(z.strictObject({ when: z.array(labelMatcher).min(1), severity })).default([]),
      })
      .default({ default: 'P2', rules: [] }),
    responders: z.array(approverRef).default([]).describe('invited to the incident'),
    triage: z
      .array(z.strictObject({ id: slug, title: z.string().min(1), description: z.string().default('') }))
      .default([]),
    containment: z.array(containmentStepSchema).default([]),
    evidence: z
      .array(evidenceSource)
      .default([])
      .describe(
        'read before each containment step changes the system (a trace or log query): the answer, redacted and at most 1 MiB, is hashed and stored with the snapshot; reached under the http rules (allowedHosts, RUNBOOK_ENV_ALLOW)',
      ),
    http: httpTargets,
    notifications: bySeverity(
      z.strictObject({
        notify: z
          .array(z.string().min(1))
          .default([])
          .describe('stakeholder groups told at declaration and on every status change'),
        page: z
          .array(z.string().min(1))
          .default([])
          .describe('on-call rotations paged at this severity, each at most once per incident'),
        statusUpdateEvery: duration
          .optional()
          .describe('remind the IC to post a status update this often until resolved'),
      }),
    ).default({}),
    postmortem: z
      .strictObject({
        requiredAt: z
          .array(severity)
          .default(['P0', 'P1'])
          .describe('severities whose incident closes only once the IC completes the postmortem'),
        actionDueDays: bySeverity(z.number().int().positive())
          .default({})
          .describe('default due date of a corrective action, in days after it is added'),
        actionReminders: actionReminders.default(actionReminders.parse({})),
      })
      .default({ requiredAt: ['P0', 'P1'], actionDueDays: {}, actionReminders: actionReminders.parse({}) })
      .transform((p) => ({ ...p, actionDueDays: { P0: 14, P1: 30, P2: 60, P3: 90, ...p.actionDueDays } })),
    autoResolve: z
      .strictObject({ quietFor: duration.describe('how long every alert must stay resolved') })
      .optional()
      .describe(
        'alert-raised incidents resolve on their own once every alert has resolved and none fired again for quietFor',
      ),
    mitigationTargets: bySeverity(duration)
      .default({})
      .transform((t) => ({ P0: '4h', P1: '24h', ...t })),
    obligations: obligationsSchema,
    policy: runbookPolicySchema.describe(
      `who may do what to this runbook's incidents, where it differs from policy.yaml`,
    ),
  })
  .superRefine((runbook, ctx) => {
    const obligationIds = new Set<string>();
    runbook.obligations.forEach((obligation, i) => {
      if (obligationIds.has(obligation.id))
        ctx.addIssue({
          code: 'custom',
          path: ['obligations', i, 'id'],
          message: `duplicate obligation id "${obligation.id}"`,
        });
      obligationIds.add(obligation.id);
    });
    const sourceIds = new Set<string>();
    runbook.evidence.forEach((source, i) => {
      if (sourceIds.has(source.id))
        ctx.addIssue({
          code: 'custom',
          path: ['evidence', i, 'id'],
          message: `duplicate evidence source id "${source.id}"`,
        });
      sourceIds.add(source.id);
    });
    const seen = new Set<string>();
    runbook.containment.forEach((step, i) => {
      if (seen.has(step.id))
        ctx.addIssue({ code: 'custom', path: ['containment', i, 'id'], message: `duplicate step id "${step.id}"` });
      seen.add(step.id);
      if (step.kind === 'model-rollback' && (step.flag === undefined) === (step.model === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['containment', i],
          message: 'a model rollback names either a flag or a registered model, not both',
        });
      }
      if (
        step.kind === 'model-rollback' &&
        step.model !== undefined &&
        step.to !== 'previous' &&
        !/^\d+$/.test(step.to)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['containment', i, 'to'],
          message: 'with model: must be a version number or "previous"',
        });
      }
      if (step.kind === 'http' && step.preserveEvidence && step.request.method === 'GET') {
        ctx.addIssue({
          code: 'custom',
          path: ['containment', i, 'preserveEvidence'],
          message: 'this step only reads (GET): it changes nothing, so there is no evidence to preserve before it',
        });
      }
      if (step.kind === 'flag' && step.action === 'serve' && step.value === undefined) {
        ctx.addIssue({ code: 'custom', path: ['containment', i, 'value'], message: 'is required with action: serve' });
      }
    });
  });

export const approverGroupsSchema = z.strictObject({
  groups: z.record(slug, z.array(z.string().min(1)).min(1, 'a group needs at least one member')),
  slack: z
    .record(slug, z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id such as S0614TZR7'))
    .default({})
    .describe('Slack user groups (by id, not handle) whose members also belong to the group of that name'),
});

export type Runbook = z.output<typeof runbookSchema>;
export type RunbookStep = z.output<typeof containmentStepSchema>;
export type ApproverGroups = z.output<typeof approverGroupsSchema>['groups'];
export type SlackUsergroupIds = z.output<typeof approverGroupsSchema>['slack'];
export type EvidenceSource = z.output<typeof evidenceSource>;
export type LabelMatcher = z.output<typeof labelMatcher>;
