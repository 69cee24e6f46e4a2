// What the obligation routes accept: classifications and submissions (app/http/obligation-routes.ts).
import { z } from 'zod';
import { OBLIGATION_PHASES, classificationPattern } from '../../runbooks/obligation-rules.js';
import { actor, incidentParams } from './schemas.js';

const classification = z
  .string({ error: 'is required' })
  .trim()
  .regex(classificationPattern, 'must be a classification such as personal-data-breach or serious-incident:death')
  .describe("one the incident's runbook obligations name as a trigger");
const reason = (what: string) =>
  z
    .string({ error: `is required (${what})` })
    .trim()
    .min(1, 'must not be empty')
    .max(2000, 'must be at most 2000 characters');

export const classifyBody = z.object({
  actor,
  classification,
  awareAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO date-time such as 2026-11-27T09:30:00Z' })
    .refine((value) => !(Date.parse(value) > Date.now()), 'must not be in the future')
    .optional()
    .describe('when the company became aware (the clock starts here); now by default; may be earlier'),
  reason: reason('why the incident is classified so'),
});

export const unclassifyBody = z.object({
  actor,
  classification,
  reason: reason('why the classification no longer holds'),
});

export const submitObligationBody = z.object({
  actor,
  phase: z.enum(OBLIGATION_PHASES, { error: `must be one of ${OBLIGATION_PHASES.join(', ')}` }),
  reference: z
    .string({ error: 'is required (the authority’s case number, or the report filed)' })
    .trim()
    .min(1, 'must not be empty')
    .max(500, 'must be at most 500 characters'),
  reasons: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(5000, 'must be at most 5000 characters')
    .optional()
    .describe('the reasons for the delay: required when the first submission comes after the deadline'),
});

export const obligationParams = incidentParams.extend({
  obligationId: z.string().describe("an obligation of the incident's runbook, e.g. gdpr-art-33"),
});
