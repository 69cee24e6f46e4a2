// Evidence before containment: the IC's override of a step held for its evidence (the snapshots themselves
// are in the incident's state, GET /api/incidents/:id).
import { z } from 'zod';
import type { IncidentService } from '../incident-service.js';
import { incidentIdParam } from './incident-param.js';
import { parseWith } from './json.js';
import type { Route } from './router.js';
import { call } from './service-call.js';
import { actor, incidentParams } from './schemas.js';

export const overrideEvidenceBody = z.object({
  actor,
  reason: z
    .string({ error: 'is required (why the step may run without its evidence)' })
    .trim()
    .min(1, 'must not be empty')
    .max(2000, 'must be at most 2000 characters'),
});

const stepParams = incidentParams.extend({ stepId: z.string().describe('a containment step of the incident') });

export function evidenceRoutes(service: IncidentService): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/incidents/:id/steps/:stepId/evidence-override',
      auth: 'person',
      docs: {
        summary:
          'Let a step whose runbook requires evidence (preserveEvidence: required) run although its snapshot failed (the IC only)',
        body: overrideEvidenceBody,
        params: stepParams,
        responses: {
          200: 'The step after it ran',
          400: 'No reason',
          403: 'Not the IC (recorded); the answer names who may',
          404: 'No such incident or step',
          409: 'The step is not waiting for its evidence',
        },
      },
      handle: async ({ params, body, who }) => {
        const { reason } = parseWith(overrideEvidenceBody, body);
        return {
          status: 200,
          body: await call(() => service.overrideEvidence(incidentIdParam(params), params.stepId ?? '', who!, reason)),
        };
      },
    },
  ];
}
