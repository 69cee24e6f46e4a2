import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createTicketActivities } from '../activities/tickets.js';
import { JiraTicketProvider } from '../integrations/ticketing/jira.js';
import { actionLabel, type TicketRequest } from '../integrations/ticketing/provider.js';
import { startJiraFake, type JiraFake } from './support/jira-fake.js';

const TOKEN = 'ATATT-jira-secret-0123';
let jira: JiraFake;
before(async () => {
  jira = await startJiraFake({ project: 'AI', email: 'bot@acme.test', token: TOKEN });
});
after(() => jira.stop());

const request: TicketRequest = {
  externalId: 'INC-7K3QX/A1',
  incidentId: 'INC-7K3QX',
  title: '[INC-7K3QX] Alert on internal-note leakage',
  body: 'Corrective action (detect) from P1 incident INC-7K3QX.',
  kind: 'detect',
  severity: 'P1',
  owner: 'dave',
  dueAt: '2026-12-27T09:00:00.000Z',
  labels: ['incident-action', 'incident:INC-7K3QX', 'action:detect'],
};

describe('Jira Cloud as the ticket tracker (REST v3, contract fake)', () => {
  it('files one issue per action with labels, due date and a description document; a retry finds it', async () => {
    const provider = new JiraTicketProvider({
      baseUrl: jira.url,
      email: 'bot@acme.test',
      apiToken: TOKEN,
      projectKey: 'AI',
      webhooks: true,
    });
    const first = await provider.open(request);
    assert.deepEqual(first, { provider: 'jira', key: 'AI-1', url: `${jira.url}/browse/AI-1` });
    assert.deepEqual(await provider.open(request), first);
    const creates = jira.requests.filter((r) => r.path === '/rest/api/3/issue');
    assert.equal(creates.length, 1);
    const fields = creates[0]!.body.fields;
    assert.deepEqual([fields.summary, fields.duedate, fields.issuetype.name], [request.title, '2026-12-27', 'Task']);
    assert.deepEqual(fields.labels, [...request.labels, actionLabel(request.externalId)]);
    assert.equal(fields.description.type, 'doc');
    assert.match(jira.requests[0]!.body.jql, /^project = "AI" AND labels = "incident-action:INC-7K3QX\/A1"$/);
    assert.equal(provider.pollEvery, undefined);
  });

  it('reads a resolved issue as closed, with its resolution date; polls without a webhook', async () => {
    const provider = new JiraTicketProvider({
      baseUrl: jira.url,
      email: 'bot@acme.test',
      apiToken: TOKEN,
      projectKey: 'AI',
      webhooks: false,
    });
    assert.equal(provider.pollEvery, '15m');
    const ticket = await provider.open({ ...request, externalId: 'INC-7K3QX/A2' });
    assert.equal((await provider.status(ticket)).closed, false);
    jira.resolve(ticket.key);
    const status = await provider.status(ticket);
    assert.equal(status.closed, true);
    assert.ok(!Number.isNaN(Date.parse(status.closedAt!)), `resolution date ${status.closedAt} parses`);
  });

  it('keeps the incident record: one issue, each comment once, closed through the transition to Done', async () => {
    const activities = createTicketActivities(
      new JiraTicketProvider({
        baseUrl: jira.url,
        email: 'bot@acme.test',
        apiToken: TOKEN,
        projectKey: 'AI',
        webhooks: true,
      }),
    );
    const recordRequest = {
      incidentId: 'INC-REC02',
      title: '[INC-REC02] P2 Harmful output spike',
      body: 'Spike in flagged outputs.\n\nDeclared by alice.',
      severity: 'P2' as const,
      labels: ['incident', 'severity:P2'],
    };
    const ticket = await activities.openIncidentRecord(recordRequest);
    assert.deepEqual(await activities.openIncidentRecord(recordRequest), ticket);
    const issue = jira.issues.find((i) => i.key === ticket.key)!;
    assert.deepEqual(issue.fields.labels, ['incident', 'severity:P2', 'incident-record:INC-REC02']);
    for (let attempt = 0; attempt < 2; attempt++)
      await activities.commentOnTicket({
        ticket,
        marker: 'INC-REC02/postmortem',
        text: '# Postmortem\nWhat happened.',
      });
    assert.equal(issue.comments.length, 1, 'the retry found its marker');
    assert.deepEqual(issue.comments[0], {
      type: 'doc',
      version: 1,
      content: ['# Postmortem', 'What happened.', '(incident-response:INC-REC02/postmortem)'].map((text) => ({
        type: 'paragraph',
        content: [{ type: 'text', text }],
      })),
    });
    await activities.closeIncidentRecord(ticket);
    assert.equal(issue.fields.status.statusCategory.key, 'done');
    const transitions = jira.requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/transitions'));
    assert.deepEqual(
      transitions.map((r) => r.body),
      [{ transition: { id: '31' } }],
      'the transition whose target is Done',
    );
    await activities.closeIncidentRecord(ticket);
    assert.equal(
      jira.requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/transitions')).length,
      1,
      'closing a closed record changes nothing',
    );
  });

  it("refuses for good on Jira's 4xx, naming the field, without the token", async () => {
    const wrongProject = new JiraTicketProvider({
      baseUrl: jira.url,
      email: 'bot@acme.test',
      apiToken: TOKEN,
      projectKey: 'NOPE',
      webhooks: true,
    });
    await assert.rejects(createTicketActivities(wrongProject).openTicket(request), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
      assert.match(err.message, /refused: 400 .*project: valid project is required/);
      return true;
    });
    const badToken = new JiraTicketProvider({
      baseUrl: jira.url,
      email: 'bot@acme.test',
      apiToken: 'wrong-token-xyz',
      projectKey: 'AI',
      webhooks: true,
    });
    await assert.rejects(createTicketActivities(badToken).openTicket(request), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure && err.nonRetryable);
      assert.match(err.message, /401 You are not authenticated/);
      assert.doesNotMatch(err.message, /wrong-token-xyz/);
      return true;
    });
  });
});
