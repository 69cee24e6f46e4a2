import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createTicketActivities } from '../activities/tickets.js';
import { GitHubTicketProvider } from '../integrations/ticketing/github.js';
import { actionLabel } from '../integrations/ticketing/provider.js';
import type { TicketRequest } from '../integrations/ticketing/provider.js';
import { startGitHubFake, type GitHubFake } from './support/github-fake.js';

const TOKEN = 'ghp_testtoken0123456789';
const repository = 'acme/assistant';
let github: GitHubFake;
before(async () => {
  github = await startGitHubFake({ repository, token: TOKEN });
});
after(() => github.stop());

const request: TicketRequest = {
  externalId: 'INC-7K3QX/A1',
  incidentId: 'INC-7K3QX',
  title: '[INC-7K3QX] Strip instructions from browsed pages',
  body: 'Corrective action (prevent) from P1 incident INC-7K3QX.',
  kind: 'prevent',
  severity: 'P1',
  owner: 'carol',
  dueAt: '2026-12-27T09:00:00.000Z',
  labels: ['incident-action', 'incident:INC-7K3QX', 'action:prevent'],
};

describe('GitHub Issues as the ticket tracker (real @octokit/rest, contract fake)', () => {
  it('files one issue per action, even when the filing is retried', async () => {
    const provider = new GitHubTicketProvider({ token: TOKEN, repository, apiUrl: github.url, webhooks: true });
    const first = await provider.open(request);
    const retried = await provider.open(request);
    assert.deepEqual(first, { provider: 'github', key: '#1', url: `https://github.com/${repository}/issues/1` });
    assert.deepEqual(retried, first);
    const posts = github.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1, 'the retry found the issue by its action label');
    const body = posts[0]!.body as { title: string; body: string; labels: string[] };
    assert.equal(body.title, request.title);
    assert.deepEqual(body.labels, [...request.labels, actionLabel('INC-7K3QX/A1')]);
    assert.match(body.body, /Owner: @carol\. Due: 2026-12-27/);
    assert.ok(github.requests.every((r) => r.authorization === `token ${TOKEN}`));
    assert.equal(provider.pollEvery, undefined, 'with a webhook secret, closures are pushed');
  });

  it('reads closure back, with who closed it and when; polls when no webhook is configured', async () => {
    const provider = new GitHubTicketProvider({ token: TOKEN, repository, apiUrl: github.url, webhooks: false });
    assert.equal(provider.pollEvery, '15m');
    const ticket = await provider.open({ ...request, externalId: 'INC-7K3QX/A2' });
    assert.deepEqual((await provider.status(ticket)).closed, false);
    github.close(Number(ticket.key.slice(1)), 'carol');
    const status = await provider.status(ticket);
    assert.deepEqual([status.closed, status.closedBy], [true, 'carol']);
    assert.ok(!Number.isNaN(Date.parse(status.closedAt!)));
  });

  it('keeps the incident record: one issue, each comment once however often retried, closed as completed', async () => {
    const provider = new GitHubTicketProvider({ token: TOKEN, repository, apiUrl: github.url, webhooks: true });
    const activities = createTicketActivities(provider, (id) => [
      { href: `https://incidents.example.com/api/incidents/${id}`, text: `Incident ${id}` },
    ]);
    const recordRequest = {
      incidentId: 'INC-REC01',
      title: '[INC-REC01] P1 Leak via ana@example.com',
      body: 'Assistant leaks notes.',
      severity: 'P1' as const,
      labels: ['incident', 'severity:P1'],
    };
    const ticket = await activities.openIncidentRecord(recordRequest);
    assert.deepEqual(await activities.openIncidentRecord(recordRequest), ticket, 'a retry finds it by its label');
    const issue = github.issues.find((i) => `#${i.number}` === ticket.key)!;
    assert.deepEqual(
      issue.labels.map((l) => l.name),
      ['incident', 'severity:P1', 'incident-record:INC-REC01'],
    );
    assert.equal(issue.title, '[INC-REC01] P1 Leak via [redacted email]');
    assert.equal(
      issue.body,
      'Assistant leaks notes.\nIncident INC-REC01: https://incidents.example.com/api/incidents/INC-REC01',
    );
    for (let attempt = 0; attempt < 2; attempt++)
      await activities.commentOnTicket({
        ticket,
        marker: 'INC-REC01/resolved',
        text: 'Resolved by alice: model rolled back',
      });
    await activities.commentOnTicket({
      ticket,
      marker: 'INC-REC01/postmortem',
      text: '# Postmortem\n\nWhat happened.',
    });
    assert.deepEqual(
      issue.comments.map((c) => c.body),
      [
        'Resolved by alice: model rolled back\n\n<!-- incident-response:INC-REC01/resolved -->',
        '# Postmortem\n\nWhat happened.\n\n<!-- incident-response:INC-REC01/postmortem -->',
      ],
    );
    await activities.closeIncidentRecord(ticket);
    assert.deepEqual([issue.state, issue.state_reason], ['closed', 'completed']);
  });

  it('turns a refusal (bad token) into a final activity failure that does not echo the token', async () => {
    const provider = new GitHubTicketProvider({
      token: 'ghp_wrong000000000000',
      repository,
      apiUrl: github.url,
      webhooks: true,
    });
    const { openTicket } = createTicketActivities(provider);
    await assert.rejects(openTicket(request), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /refused: 401 Bad credentials/);
      assert.doesNotMatch(err.message, /ghp_wrong/);
      return true;
    });
  });
});
