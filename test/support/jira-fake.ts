// A contract fake of the slice of Jira Cloud REST v3 the ticket provider uses, on 127.0.0.1: JQL search
// by project and label (/search/jql), issue create and read, Jira's {errorMessages, errors} bodies.
import { answer, startJsonFake, type FakeRequest } from './json-fake-server.js';

export interface FakeJiraIssue {
  key: string;
  fields: {
    summary: string;
    labels: string[];
    duedate?: string;
    status: { statusCategory: { key: 'new' | 'done' } };
    resolutiondate: string | null;
  };
  /** Comment bodies, as Atlassian Documents. */
  comments: unknown[];
}

const TRANSITIONS = [
  { id: '11', name: 'Start progress', to: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } },
  { id: '31', name: 'Done', to: { name: 'Done', statusCategory: { key: 'done' } } },
];

export interface JiraFake {
  url: string;
  issues: FakeJiraIssue[];
  requests: FakeRequest[];
  resolve(key: string): void;
  stop(): Promise<void>;
}

export async function startJiraFake({
  project,
  email,
  token,
}: {
  project: string;
  email: string;
  token: string;
}): Promise<JiraFake> {
  const issues: FakeJiraIssue[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
  const fake = await startJsonFake(({ method, url, authorization, body }) => {
    if (authorization !== expectedAuth)
      return answer(401, {
        errorMessages: ['You are not authenticated. Authentication required to perform this operation.'],
        errors: {},
      });
    if (url.pathname === '/rest/api/3/search/jql' && method === 'POST') {
      const label = /labels = "([^"]+)"/.exec(body?.jql ?? '')?.[1];
      const inProject = new RegExp(`project = "${project}"`).test(body?.jql ?? '');
      const found = issues.filter((i) => inProject && (!label || i.fields.labels.includes(label)));
      return answer(200, { issues: found.slice(0, body?.maxResults ?? 50), isLast: true });
    }
    if (url.pathname === '/rest/api/3/issue' && method === 'POST') {
      const fields = body?.fields ?? {};
      if (!fields.summary)
        return answer(400, { errorMessages: [], errors: { summary: 'You must specify a summary of the issue.' } });
      if (fields.project?.key !== project)
        return answer(400, { errorMessages: [], errors: { project: 'valid project is required' } });
      if ((fields.labels ?? []).some((l: string) => /\s/.test(l)))
        return answer(400, { errorMessages: [], errors: { labels: 'Labels cannot contain spaces.' } });
      const key = `${project}-${issues.length + 1}`;
      issues.push({
        key,
        fields: {
          summary: fields.summary,
          labels: fields.labels ?? [],
          duedate: fields.duedate,
          status: { statusCategory: { key: 'new' } },
          resolutiondate: null,
        },
        comments: [],
      });
      return answer(201, { id: String(10_000 + issues.length), key, self: `${url.origin}/rest/api/3/issue/${key}` });
    }
    const one = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9_]*-\d+)$/.exec(url.pathname);
    const issue = one && issues.find((i) => i.key === one[1]);
    if (issue && method === 'GET') return answer(200, { key: issue.key, fields: issue.fields });
    const sub = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9_]*-\d+)\/(comment|transitions)$/.exec(url.pathname);
    const target = sub && issues.find((i) => i.key === sub[1]);
    if (target && sub[2] === 'comment' && method === 'GET') {
      return answer(200, {
        startAt: 0,
        maxResults: 5000,
        total: target.comments.length,
        comments: target.comments.map((body, n) => ({ id: String(n + 1), body })),
      });
    }
    if (target && sub[2] === 'comment' && method === 'POST') {
      if (body?.body?.type !== 'doc')
        return answer(400, { errorMessages: [], errors: { comment: 'Comment body can not be empty!' } });
      target.comments.push(body.body);
      return answer(201, { id: String(target.comments.length), body: body.body });
    }
    if (target && sub[2] === 'transitions' && method === 'GET') return answer(200, { transitions: TRANSITIONS });
    if (target && sub[2] === 'transitions' && method === 'POST') {
      const transition = TRANSITIONS.find((t) => t.id === body?.transition?.id);
      if (!transition)
        return answer(400, {
          errorMessages: [`Transition id '${body?.transition?.id}' is not valid for this issue.`],
          errors: {},
        });
      if (transition.to.statusCategory.key === 'done') resolveIssue(target);
      return answer(204, '');
    }
    return answer(404, {
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    });
  });
  return {
    url: fake.url,
    issues,
    requests: fake.requests,
    resolve(key) {
      resolveIssue(issues.find((i) => i.key === key)!);
    },
    stop: fake.stop,
  };
}

function resolveIssue(issue: FakeJiraIssue): void {
  issue.fields.status = { statusCategory: { key: 'done' } };
  issue.fields.resolutiondate = new Date().toISOString().replace('Z', '+0000');
}
