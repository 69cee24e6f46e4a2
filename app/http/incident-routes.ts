import type { IncidentService } from '../incident-service.js';
import { incidentIdPattern, normalizeIncidentId } from '../incident-id.js';
import { HttpError, parseWith } from './json.js';
import type { Route } from './router.js';
import { call } from './service-call.js';
import { actorBody, addActionBody, commanderBody, decisionBody, declareBody, resolveBody, severityBody, triageBody, waiveBody } from './schemas.js';

export function incidentRoutes(service: IncidentService): Route[] {
  const id = (params: Record<string, string>) => {
    const normalized = normalizeIncidentId(params.id ?? '');
    if (!incidentIdPattern.test(normalized)) throw new HttpError(404, `No incident ${params.id}`, [{ field: 'id', message: 'not an incident id such as INC-7K3QX' }]);
    return normalized;
  };
  const actionId = (params: Record<string, string>) => {
    const value = (params.actionId ?? '').toUpperCase();
    if (!/^A\d+$/.test(value)) throw new HttpError(404, `No corrective action ${params.actionId}`, [{ field: 'actionId', message: 'not an action id such as A1' }]);
    return value;
  };
  return [
    {
      method: 'POST',
      path: '/api/incidents',
      handle: async ({ body }) => {
        const { runbook, ...declaration } = parseWith(declareBody, body);
        return { status: 201, body: await call(() => service.declare({ ...declaration, ...(runbook ? { runbookId: runbook } : {}) })) };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents',
      handle: async ({ query }) => ({ status: 200, body: { incidents: await call(() => service.list({ includeClosed: query.get('status') === 'all' })) } }),
    },
    {
      method: 'GET',
      path: '/api/incidents/:id',
      handle: async ({ params }) => ({ status: 200, body: await call(() => service.get(id(params))) }),
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/approvals',
      handle: async ({ params, body }) => {
        const decision = parseWith(decisionBody, body);
        return { status: 200, body: await call(() => service.decide(id(params), decision)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/resolve',
      handle: async ({ params, body }) => {
        const { actor, summary } = parseWith(resolveBody, body);
        return { status: 200, body: await call(() => service.resolve(id(params), actor, summary)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/severity',
      handle: async ({ params, body }) => {
        const { actor, severity } = parseWith(severityBody, body);
        return { status: 200, body: await call(() => service.setSeverity(id(params), actor, severity)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/triage/:itemId',
      handle: async ({ params, body }) => {
        const { actor, note } = parseWith(triageBody, body);
        return { status: 200, body: await call(() => service.completeTriage(id(params), params.itemId ?? '', actor, note)) };
      },
    },
    {
      method: 'GET',
      path: '/api/runbooks',
      handle: async () => ({ status: 200, body: { runbooks: await service.runbooks() } }),
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/commander',
      handle: async ({ params, body }) => {
        const { actor, commander } = parseWith(commanderBody, body);
        return { status: 200, body: await call(() => service.assignCommander(id(params), actor, commander)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/acknowledge',
      handle: async ({ params, body }) => {
        const { actor } = parseWith(actorBody, body);
        return { status: 200, body: await call(() => service.acknowledge(id(params), actor)) };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents/:id/postmortem',
      handle: async ({ params, req }) => {
        const incident = await call(() => service.get(id(params)));
        const markdown = await call(() => service.postmortem(incident.id));
        if (/text\/(markdown|plain)/.test(req.headers.accept ?? '')) return { status: 200, body: markdown, contentType: 'text/markdown; charset=utf-8' };
        return { status: 200, body: { id: incident.id, ...incident.postmortem } };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/postmortem/complete',
      handle: async ({ params, body }) => {
        const { actor } = parseWith(actorBody, body);
        return { status: 200, body: await call(() => service.completePostmortem(id(params), actor)) };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents/:id/actions',
      handle: async ({ params }) => ({ status: 200, body: { actions: (await call(() => service.get(id(params)))).actions } }),
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/actions',
      handle: async ({ params, body }) => {
        const request = parseWith(addActionBody, body);
        return { status: 201, body: await call(() => service.addAction(id(params), request)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/actions/:actionId/close',
      handle: async ({ params, body }) => {
        const { actor } = parseWith(actorBody, body);
        const action = await call(() => service.closeAction(id(params), actionId(params), actor));
        // Still open: the action has not taken the closure in yet (202), e.g. while its worker restarts.
        return { status: action.status === 'open' ? 202 : 200, body: action };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/actions/:actionId/waive',
      handle: async ({ params, body }) => {
        const { actor, reason } = parseWith(waiveBody, body);
        return { status: 200, body: await call(() => service.waiveAction(id(params), actionId(params), actor, reason)) };
      },
    },
  ];
}
