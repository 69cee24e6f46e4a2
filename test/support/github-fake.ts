// A contract fake of the slice of GitHub's REST API the ticket provider uses, on 127.0.0.1: issues
// listed by label and state, created, read; GitHub's error bodies; it records every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: { name: string }[];
  state: 'open' | 'closed';
  html_url: string;
  closed_at: string | null;
  closed_by: { login: string } | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: unknown;
}

export interface GitHubFake {
  url: string;
  issues: FakeIssue[];
  requests: RecordedRequest[];
  close(number: number, by: string): void;
  stop(): Promise<void>;
}

export async function startGitHubFake({ repository, token }: { repository: string; token: string }): Promise<GitHubFake> {
  const issues: FakeIssue[] = [];
  const requests: RecordedRequest[] = [];
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(body ? { body } : {}) });
    if (req.headers.authorization !== `token ${token}`) return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    const base = `/repos/${repository}/issues`;
    if (url.pathname === base && req.method === 'GET') {
      const wanted = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
      const state = url.searchParams.get('state') ?? 'open';
      const found = issues.filter((i) => (state === 'all' || i.state === state) && wanted.every((l) => i.labels.some((x) => x.name === l)));
      return send(res, 200, found.slice(0, Number(url.searchParams.get('per_page') ?? 30)));
    }
    if (url.pathname === base && req.method === 'POST') {
      if (typeof body?.title !== 'string') return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }] });
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
      };
      issues.push(issue);
      return send(res, 201, issue);
    }
    const one = new RegExp(`^${base}/(\\d+)$`).exec(url.pathname);
    const issue = one && issues.find((i) => i.number === Number(one[1]));
    if (issue && req.method === 'GET') return send(res, 200, issue);
    return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    issues,
    requests,
    close(number, by) {
      const issue = issues.find((i) => i.number === number)!;
      Object.assign(issue, { state: 'closed', closed_at: new Date().toISOString(), closed_by: { login: by } });
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
