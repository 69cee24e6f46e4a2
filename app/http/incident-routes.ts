import type { IncidentErrorKind, IncidentService } from '../incident-service.js';
import { IncidentError } from '../incident-service.js';
import { incidentIdPattern, normalizeIncidentId } from '../incident-id.js';
import { HttpError, parseWith } from './json.js';
import type { Route } from './router.js';
import { commanderBody, decisionBody, declareBody, resolveBody, severityBody, triageBody } from './schemas.js';

const STATUS_BY_KIND: Record<IncidentErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};

export function incidentRoutes(service: IncidentService): Route[] {
  const id = (params: Record<string, string>) => {
    const normalized = normalizeIncidentId(params.id ?? '');
    if (!incidentIdPattern.test(normalized)) throw new HttpError(404, `No incident ${params.id}`, [{ field: 'id', message: 'not an incident id such as INC-7K3QX' }]);
    return normalized;
  };
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof IncidentError) throw new HttpError(STATUS_BY_KIND[err.kind], err.message, [{ field: fieldFor(err.kind), message: err.message }]);
      throw err;
    }
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
  ];
}

function fieldFor(kind: IncidentErrorKind): string {
  return { invalid: '(body)', forbidden: 'actor', 'not-found': 'id', conflict: '(state)', unavailable: '(server)' }[kind];
}
