// A contract fake of the slice of GitHub's REST API the ticket provider uses, on 127.0.0.1: issues
// listed by label and state, created, read; GitHub's error bodies; it records every request.
import { answer, startJsonFake, type FakeRequest } from './json-fake-server.js';

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: { name: string }[];
  state: 'open' | 'closed';
  html_url: string;
  closed_at: string | null;
  closed_by: { login: string } | null;
  state_reason?: string | null;
  comments: { id: number; body: string }[];
}

export interface GitHubFake {
  url: string;
  issues: FakeIssue[];
  requests: FakeRequest[];
  close(number: number, by: string): void;
  /** The next `count` requests get `status` with GitHub's error body and these headers. */
  failNext(count: number, status: number, headers?: Record<string, string>): void;
  stop(): Promise<void>;
}

export async function startGitHubFake({
  repository,
  token,
}: {
  repository: string;
  token: string;
}): Promise<GitHubFake> {
  const issues: FakeIssue[] = [];
  let failures = { count: 0, status: 0, headers: {} as Record<string, string> };
  const fake = await startJsonFake(({ method, url, authorization, body }) => {
    if (failures.count > 0) {
      failures.count--;
      const message =
        failures.status === 429
          ? 'API rate limit exceeded'
          : failures.status === 401
            ? 'Bad credentials'
            : 'Server Error';
      return answer(
        failures.status,
        { message, documentation_url: 'https://docs.github.com/rest', status: String(failures.status) },
        failures.headers,
      );
    }
    if (authorization !== `token ${token}`)
      return answer(401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    const base = `/repos/${repository}/issues`;
    if (url.pathname === base && method === 'GET') {
      const wanted = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const state = url.searchParams.get('state') ?? 'open';
      const found = issues.filter(
        (i) => (state === 'all' || i.state === state) && wanted.every((l) => i.labels.some((x) => x.name === l)),
      );
      return answer(200, found.slice(0, Number(url.searchParams.get('per_page') ?? 30)));
    }
    if (url.pathname === base && method === 'POST') {
      if (typeof body?.title !== 'string')
        return answer(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
        });
      const number = issues.length + 1;
      const issue: FakeIssue = {
        number,
        title: body.title,
        body: body.body ?? '',
        labels: (body.labels ?? []).map((name: string) => ({ name })),
        state: 'open',
        html_url: `https://github.com/${repository}/issues/${number}`,
        closed_at: null,
        closed_by: null,
        comments: [],
      };
      issues.push(issue);
      return answer(201, issue);
    }
    const one = new RegExp(`^${base}/(\\d+)$`).exec(url.pathname);
    const issue = one && issues.find((i) => i.number === Number(one[1]));
    if (issue && method === 'GET') return answer(200, issue);
    if (issue && method === 'PATCH') {
      if (body?.state === 'closed' && issue.state !== 'closed')
        Object.assign(issue, {
          state: 'closed',
          closed_at: new Date().toISOString(),
          closed_by: { login: 'incident-bot' },
        });
      if (body?.state_reason !== undefined) issue.state_reason = body.state_reason;
      return answer(200, issue);
    }
    const comments = new RegExp(`^${base}/(\\d+)/comments$`).exec(url.pathname);
    const commented = comments && issues.find((i) => i.number === Number(comments[1]));
    if (commented && method === 'GET') {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      return answer(200, commented.comments.slice((page - 1) * perPage, page * perPage));
    }
    if (commented && method === 'POST') {
      if (typeof body?.body !== 'string' || !body.body)
        return answer(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'IssueComment', field: 'body', code: 'missing_field' }],
        });
      const comment = { id: 1_000 + commented.comments.length, body: body.body };
      commented.comments.push(comment);
      return answer(201, comment);
    }
    return answer(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  });
  return {
    url: fake.url,
    issues,
    requests: fake.requests,
    close(number, by) {
      const issue = issues.find((i) => i.number === number)!;
      Object.assign(issue, { state: 'closed', closed_at: new Date().toISOString(), closed_by: { login: by } });
    },
    failNext(count, status, headers = {}) {
      failures = { count, status, headers };
    },
    stop: fake.stop,
  };
}
