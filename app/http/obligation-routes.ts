// Classifications and obligations (product.md §9): classify and withdraw, the clocks, submissions, and
// each obligation's report draft.
import type { IncidentService } from '../incident-service.js';
import { incidentIdParam } from './incident-param.js';
import { renderObligationDraft, obligationDraft } from '../obligation-drafts.js';
import { HttpError, parseWith } from './json.js';
import type { Route } from './router.js';
import { call } from './service-call.js';
import { classifyBody, obligationParams, submitObligationBody, unclassifyBody } from './obligation-schemas.js';
import { incidentParams } from './schemas.js';

export function obligationRoutes(service: IncidentService): Route[] {
  const id = incidentIdParam;
  /** A service call whose 400 names the body field its message starts with (the workflow names them so). */
  const naming =
    (...fields: string[]) =>
    async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await call(work);
      } catch (err) {
        const field =
          err instanceof HttpError && err.status === 400 && fields.find((f) => err.message.startsWith(`${f} `));
        if (field) throw new HttpError(400, err.message, [{ field, message: err.message }]);
        throw err;
      }
    };
  const refused403 = 'The actor may not classify (recorded); the answer names who may';
  return [
    {
      method: 'POST',
      path: '/api/incidents/:id/classifications',
      auth: 'person',
      docs: {
        summary: "Classify the incident, starting the runbook's obligations it triggers (their clocks)",
        body: classifyBody,
        params: incidentParams,
        responses: {
          200: 'The incident, with its classifications and obligations',
          400: 'An unknown classification (the known ones listed), awareAt in the future, no reason',
          403: refused403,
          404: 'No such incident',
          409: 'Already so classified, or closed',
        },
      },
      handle: async ({ params, body, who }) => {
        const { actor: _claimed, ...request } = parseWith(classifyBody, body);
        return {
          status: 200,
          body: await naming('classification', 'awareAt', 'reason')(() => service.classify(id(params), request, who!)),
        };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/classifications/withdraw',
      auth: 'person',
      docs: {
        summary: 'Withdraw a classification, with the reason; the obligations it started stop',
        body: unclassifyBody,
        params: incidentParams,
        responses: {
          200: 'The incident',
          403: refused403,
          404: 'No such incident, or not so classified',
        },
      },
      handle: async ({ params, body, who }) => {
        const { classification, reason } = parseWith(unclassifyBody, body);
        return {
          status: 200,
          body: await call(() => service.unclassify(id(params), classification, who!, reason)),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents/:id/obligations',
      auth: 'reader',
      docs: {
        summary: 'The classifications and the obligations they started: clocks, reminders, submissions, status',
        params: incidentParams,
        responses: { 200: '`{classifications: [...], obligations: [...]}`', 404: 'No such incident' },
      },
      handle: async ({ params }) => {
        const incident = await call(() => service.get(id(params)));
        return {
          status: 200,
          body: { classifications: incident.classifications ?? [], obligations: incident.obligations ?? [] },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/obligations/:obligationId/submissions',
      auth: 'person',
      docs: {
        summary: 'Record a report submitted for an obligation: the first meets its deadline; final ends it',
        body: submitObligationBody,
        params: obligationParams,
        responses: {
          200: 'The obligation',
          400: 'A phase it does not take, or reasons missing after the deadline',
          403: 'Neither a classifier nor the responsible group (recorded)',
          404: 'No such incident or obligation',
          409: 'Its final report went in, or the phase is behind',
        },
      },
      handle: async ({ params, body, who }) => {
        const { actor: _claimed, ...request } = parseWith(submitObligationBody, body);
        return {
          status: 200,
          body: await naming(
            'phase',
            'reference',
            'reasons',
          )(() => service.submitObligation(id(params), { ...request, obligationId: params.obligationId ?? '' }, who!)),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents/:id/obligations/:obligationId/draft',
      auth: 'reader',
      docs: {
        summary:
          "The obligation's report draft: its regime's items (GDPR Art. 33(3), AI Act Art. 73, NIST AI 600-1 GV-4.3-002), each filled from the incident or marked not yet known",
        params: obligationParams,
        produces: ['application/json', 'text/markdown'],
        responses: {
          200: '`{incidentId, obligationId, regime, dueAt, status, sections: [{title, items: [{id, label, value, known}]}]}`, or the Markdown with Accept: text/markdown',
          404: 'No such incident or obligation',
        },
      },
      handle: async ({ params, req }) => {
        const incident = await call(() => service.get(id(params)));
        const draft = obligationDraft(incident, params.obligationId ?? '');
        if (!draft)
          throw new HttpError(404, `${incident.id} has no obligation "${params.obligationId}"`, [
            { field: 'obligationId', message: 'not an obligation of this incident' },
          ]);
        if (/text\/(markdown|plain)/.test(req.headers.accept ?? ''))
          return { status: 200, body: renderObligationDraft(draft), contentType: 'text/markdown; charset=utf-8' };
        return { status: 200, body: draft };
      },
    },
  ];
}
