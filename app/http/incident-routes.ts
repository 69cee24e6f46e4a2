import type { IncidentService } from '../incident-service.js';
import { incidentIdParam } from './incident-param.js';
import { HttpError, parseQuery, parseWith } from './json.js';
import type { Route } from './router.js';
import { call } from './service-call.js';
import { windowStart } from './window.js';
import {
  actionParams,
  actorBody,
  addActionBody,
  commanderBody,
  decisionBody,
  declareBody,
  incidentParams,
  listQuery,
  publishBody,
  resolveBody,
  severityBody,
  statusUpdateBody,
  triageBody,
  triageParams,
  waiveBody,
} from './schemas.js';

export function incidentRoutes(service: IncidentService): Route[] {
  const id = incidentIdParam;
  const actionId = (params: Record<string, string>) => {
    const value = (params.actionId ?? '').toUpperCase();
    if (!/^A\d+$/.test(value))
      throw new HttpError(404, `No corrective action ${params.actionId}`, [
        { field: 'actionId', message: 'not an action id such as A1' },
      ]);
    return value;
  };
  const noIncident = 'No such incident';
  return [
    {
      method: 'POST',
      path: '/api/incidents',
      auth: 'person',
      docs: {
        summary: 'Declare an incident',
        body: declareBody,
        responses: {
          201: 'Declared: `{id}`, its runbook loaded and its steps set',
          202: 'Declared: `{id}`; no worker has loaded its runbook yet (within 10 s), and the incident starts when one does',
        },
      },
      handle: async ({ body, who }) => {
        const { runbook, declaredBy: _claimed, ...declaration } = parseWith(declareBody, body);
        const declarer = {
          declaredBy: who!.actor,
          declaredVia: who!.via!,
          ...(who!.memberOf ? { memberOf: who!.memberOf } : {}),
        };
        const { id, triaging } = await call(() =>
          service.declare({ ...declaration, ...declarer, ...(runbook ? { runbookId: runbook } : {}) }),
        );
        return { status: triaging ? 201 : 202, body: { id } };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents',
      auth: 'reader',
      docs: {
        summary:
          'Incidents, a page at a time: open ones by default, filtered by status, severity, runbook, commander, service, since',
        description:
          "From Temporal visibility alone (search attributes and each incident's read summary), newest first with running workflows before finished ones. `next` is the cursor of the following page; it is absent on the last.",
        query: listQuery,
        responses: {
          200: '`{incidents: [{id, title, severity, status, category, commander, service, runbook, declaredAt, mitigatedAt, resolvedAt, open, pendingSteps, openActions, flags}], next?}`',
          400: 'A bad filter, limit or cursor (named)',
        },
      },
      handle: async ({ query }) => {
        const { limit, cursor, since, ...filter } = parseQuery(listQuery, query);
        return {
          status: 200,
          body: await call(() =>
            service.page(
              { ...filter, ...(since !== undefined ? { since: windowStart(since, new Date()) } : {}) },
              { ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) },
            ),
          ),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents/:id',
      auth: 'reader',
      docs: {
        summary: 'The full state of an incident: status, IC, steps, timeline',
        params: incidentParams,
        responses: { 200: 'The incident', 404: noIncident },
      },
      handle: async ({ params }) => ({ status: 200, body: await call(() => service.get(id(params))) }),
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/approvals',
      auth: 'person',
      docs: {
        summary: 'Approve or reject a containment step',
        body: decisionBody,
        params: incidentParams,
        responses: {
          200: 'The step after it ran',
          403: 'The actor may not decide it (recorded)',
          404: 'No such incident or step',
          409: 'Not pending, or the incident is resolved',
        },
      },
      handle: async ({ params, body, who }) => {
        const { actor: _claimed, ...decision } = parseWith(decisionBody, body);
        return { status: 200, body: await call(() => service.decide(id(params), decision, who!)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/resolve',
      auth: 'person',
      docs: {
        summary: 'Resolve (the IC only)',
        body: resolveBody,
        params: incidentParams,
        responses: { 200: 'The incident', 403: 'Not the IC', 404: noIncident, 409: 'Already resolved' },
      },
      handle: async ({ params, body, who }) => {
        const { summary } = parseWith(resolveBody, body);
        return { status: 200, body: await call(() => service.resolve(id(params), who!, summary)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/updates',
      auth: 'person',
      docs: {
        summary: 'Post a status update to the stakeholders (the IC or a communicator the policy names)',
        body: statusUpdateBody,
        params: incidentParams,
        responses: {
          201: 'The update: `{id, at, by, text, impact?, nextUpdateAt?, visibility}`',
          400: 'No text, or a field too long or invalid',
          403: 'Neither the IC nor a communicator',
          404: noIncident,
          409: 'Closed, or public before the incident is published (`incident publish`)',
        },
      },
      handle: async ({ params, body, who }) => {
        const { actor: _claimed, ...update } = parseWith(statusUpdateBody, body);
        return { status: 201, body: await call(() => service.postUpdate(id(params), who!, update)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/severity',
      auth: 'person',
      docs: {
        summary: "Change the severity; re-applies the runbook's rules",
        body: severityBody,
        params: incidentParams,
        responses: { 200: 'The incident', 404: noIncident, 409: 'Already that severity' },
      },
      handle: async ({ params, body, who }) => {
        const { severity } = parseWith(severityBody, body);
        return { status: 200, body: await call(() => service.setSeverity(id(params), who!, severity)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/triage/:itemId',
      auth: 'person',
      docs: {
        summary: 'Tick off a triage item',
        body: triageBody,
        params: triageParams,
        responses: { 200: 'The incident', 404: 'No such incident or item', 409: 'Already done' },
      },
      handle: async ({ params, body, who }) => {
        const { note } = parseWith(triageBody, body);
        return {
          status: 200,
          body: await call(() => service.completeTriage(id(params), params.itemId ?? '', who!, note)),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/runbooks',
      auth: 'reader',
      docs: {
        summary: 'The runbooks new incidents use',
        responses: { 200: '`{runbooks: [{id, title, categories, fallback, steps, file, hash}]}`' },
      },
      handle: async () => ({ status: 200, body: { runbooks: await service.runbooks() } }),
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/commander',
      auth: 'person',
      docs: {
        summary: 'Take or hand over command',
        body: commanderBody,
        params: incidentParams,
        responses: { 200: 'The incident', 404: noIncident, 409: 'Already the IC, or closed' },
      },
      handle: async ({ params, body, who }) => {
        const { commander } = parseWith(commanderBody, body);
        return { status: 200, body: await call(() => service.assignCommander(id(params), who!, commander)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/acknowledge',
      auth: 'person',
      docs: {
        summary: 'The IC acknowledges the incident, once',
        body: actorBody,
        params: incidentParams,
        responses: { 200: 'The incident', 403: 'Not the IC', 404: noIncident, 409: 'Already acknowledged' },
      },
      handle: async ({ params, body, who }) => {
        parseWith(actorBody, body);
        return { status: 200, body: await call(() => service.acknowledge(id(params), who!)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/publish',
      auth: 'person',
      docs: {
        summary: 'Publish the incident on the public status page, or change its public title (the IC by default)',
        description:
          'The status page (`GET /status`) then lists it with this title and its public status updates, nothing else.',
        body: publishBody,
        params: incidentParams,
        responses: {
          200: 'The incident, with `publicListing`',
          403: 'The policy does not let the actor publish (recorded)',
          404: noIncident,
          409: 'Closed, or already published with this title',
        },
      },
      handle: async ({ params, body, who }) => {
        const { title } = parseWith(publishBody, body);
        return { status: 200, body: await call(() => service.publish(id(params), who!, title)) };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents/:id/postmortem',
      auth: 'reader',
      docs: {
        summary: 'The postmortem draft',
        params: incidentParams,
        produces: ['application/json', 'text/markdown'],
        responses: {
          200: '`{id, required, draftedAt, markdown, completedAt?, completedBy?}`, or the Markdown with Accept: text/markdown',
          404: noIncident,
          409: 'Not resolved yet',
        },
      },
      handle: async ({ params, req }) => {
        const incident = await call(() => service.get(id(params)));
        const markdown = await call(() => service.postmortem(incident.id));
        if (/text\/(markdown|plain)/.test(req.headers.accept ?? ''))
          return { status: 200, body: markdown, contentType: 'text/markdown; charset=utf-8' };
        return { status: 200, body: { id: incident.id, ...incident.postmortem } };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/postmortem/complete',
      auth: 'person',
      docs: {
        summary: 'Sign the postmortem off (the IC only)',
        body: actorBody,
        params: incidentParams,
        responses: {
          200: 'The incident',
          403: 'Not the IC',
          404: noIncident,
          409: 'No draft yet, or already completed',
        },
      },
      handle: async ({ params, body, who }) => {
        parseWith(actorBody, body);
        return { status: 200, body: await call(() => service.completePostmortem(id(params), who!)) };
      },
    },
    {
      method: 'GET',
      path: '/api/incidents/:id/actions',
      auth: 'reader',
      docs: {
        summary: 'The corrective actions',
        params: incidentParams,
        responses: { 200: '`{actions: [...]}`', 404: noIncident },
      },
      handle: async ({ params }) => ({
        status: 200,
        body: { actions: (await call(() => service.get(id(params)))).actions },
      }),
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/actions',
      auth: 'person',
      docs: {
        summary: 'Add a corrective action (with its ticket)',
        body: addActionBody,
        params: incidentParams,
        responses: { 201: 'The action', 404: noIncident, 409: 'The incident is closed' },
      },
      handle: async ({ params, body, who }) => {
        const { actor: _claimed, ...request } = parseWith(addActionBody, body);
        return { status: 201, body: await call(() => service.addAction(id(params), request, who!)) };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/actions/:actionId/close',
      auth: 'person',
      docs: {
        summary: 'Close a corrective action (and its ticket in the local tracker)',
        body: actorBody,
        params: actionParams,
        responses: {
          200: 'The action, ended',
          202: 'The action, not yet ended after 10 s',
          404: 'No such incident or action',
          409: 'Not open, or its ticket cannot be closed',
        },
      },
      handle: async ({ params, body, who }) => {
        parseWith(actorBody, body);
        const action = await call(() => service.closeAction(id(params), actionId(params), who!));
        // Still open: the action has not taken the closure in yet (202), e.g. while its worker restarts.
        return { status: action.status === 'open' ? 202 : 200, body: action };
      },
    },
    {
      method: 'POST',
      path: '/api/incidents/:id/actions/:actionId/waive',
      auth: 'person',
      docs: {
        summary: 'Waive a corrective action (the IC only)',
        body: waiveBody,
        params: actionParams,
        responses: {
          200: 'The action',
          403: 'Not the IC (recorded)',
          404: 'No such incident or action',
          409: 'Not open',
        },
      },
      handle: async ({ params, body, who }) => {
        const { reason } = parseWith(waiveBody, body);
        return { status: 200, body: await call(() => service.waiveAction(id(params), actionId(params), who!, reason)) };
      },
    },
  ];
}
