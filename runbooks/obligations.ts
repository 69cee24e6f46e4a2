// A runbook's obligations (product.md §9): legal or company clocks that a classification of the incident
// starts, such as GDPR Art. 33 (72 hours to the supervisory authority) or EU AI Act Art. 73. Pure data
// and zod: the workflow keeps the snapshot and runs each triggered obligation as a durable clock.
import { z } from 'zod';
import { durationPattern } from './duration.js';

import {
  DEFAULT_OBLIGATION_ESCALATION,
  DEFAULT_OBLIGATION_REMINDERS,
  OBLIGATION_PHASES,
  REPORT_TEMPLATES,
  classificationPattern,
} from './obligation-rules.js';

export * from './obligation-rules.js';

const ref = z.string().regex(/^(ic|user:\S+|group:[a-z0-9][a-z0-9-]*)$/, 'must be "ic", "user:<id>" or "group:<name>"');

export const obligationSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and "-"'),
    regime: z.string().min(1).describe('the rule that sets the clock, e.g. "GDPR Art. 33" or "EU AI Act Art. 73(2)"'),
    title: z.string().min(1).describe('what is owed, e.g. "Notify the supervisory authority"'),
    triggers: z
      .array(
        z
          .string()
          .regex(
            classificationPattern,
            'must be a classification such as personal-data-breach or serious-incident:death',
          ),
      )
      .min(1, 'name at least one classification')
      .describe('classifications (recorded by whoever the policy lets classify) that start this clock'),
    deadline: z
      .string()
      .regex(durationPattern, 'must be a duration such as 30s, 15m, 4h or 14d')
      .describe('from the awareness time the classifier enters: 72h, 15d, 10d, 2d'),
    recipient: z.string().min(1).describe('who the report goes to, in words'),
    responsible: ref.describe('who prepares and submits it (reminded with the IC), e.g. group:privacy-office'),
    reminders: z
      .array(z.number().gt(0, 'must be above 0').lt(100, 'must be below 100'))
      .default(DEFAULT_OBLIGATION_REMINDERS)
      .describe('remind the responsible group and the IC at these percentages of the window'),
    phases: z
      .array(z.enum(OBLIGATION_PHASES, { error: `must be one of ${OBLIGATION_PHASES.join(', ')}` }))
      .min(1)
      .default([...OBLIGATION_PHASES])
      .describe('the phases the report may come in; the first submission meets the deadline, final ends it'),
    escalateTo: z
      .array(ref)
      .min(1)
      .default(DEFAULT_OBLIGATION_ESCALATION)
      .describe('told, with the responsible group and the IC, when the deadline passes with nothing submitted'),
    report: z
      .enum(REPORT_TEMPLATES, { error: `must be one of ${REPORT_TEMPLATES.join(', ')}` })
      .default('generic')
      .describe('the report draft: the items its regime requires, filled from the incident'),
  })
  .superRefine((obligation, ctx) => {
    const sorted = [...obligation.reminders].sort((a, b) => a - b);
    if (new Set(sorted).size !== sorted.length || sorted.some((p, i) => p !== obligation.reminders[i]))
      ctx.addIssue({ code: 'custom', path: ['reminders'], message: 'must be ascending percentages, each once' });
    const order = obligation.phases.map((p) => OBLIGATION_PHASES.indexOf(p));
    if (order.some((p, i) => i > 0 && p <= order[i - 1]!))
      ctx.addIssue({
        code: 'custom',
        path: ['phases'],
        message: `must be in the order ${OBLIGATION_PHASES.join(', ')}`,
      });
  });

export const obligationsSchema = z
  .array(obligationSchema)
  .default([])
  .describe('clocks a classification of the incident starts (GDPR Art. 33, EU AI Act Art. 73, a company rule)');

export type RunbookObligation = z.output<typeof obligationSchema>;
