import { ApplicationFailure } from '@temporalio/common';
import { HttpRequestRefused, performHttpRequest, type HttpRequestSpec } from '../integrations/http/request.js';

export function createHttpActivities() {
  return {
    /** Succeeds on 2xx; 4xx fails at once (retrying will not help); 429 and 5xx are retried by Temporal. */
    async httpAction({ request }: { request: HttpRequestSpec }): Promise<{ status: number; excerpt: string }> {
      const outcome = await performHttpRequest(request).catch((err: unknown) => {
        if (err instanceof HttpRequestRefused) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      });
      if (outcome.status >= 400) {
        const message = `${request.method} ${redactedUrl(request.url)} answered ${outcome.status}: ${outcome.excerpt.slice(0, 200)}`;
        if (outcome.status === 429 || outcome.status >= 500) throw ApplicationFailure.retryable(message, 'HttpError');
        throw ApplicationFailure.nonRetryable(message, 'HttpError');
      }
      return { status: outcome.status, excerpt: outcome.excerpt };
    },

    /** Reads the state back; reports what it saw instead of failing, so the workflow can judge it. */
    async httpCheck({
      request,
      expectStatus,
      expectBodyIncludes,
    }: {
      request: HttpRequestSpec;
      expectStatus: number;
      expectBodyIncludes?: string;
    }) {
      const outcome = await performHttpRequest(request);
      const ok =
        outcome.status === expectStatus &&
        (expectBodyIncludes === undefined || outcome.body.includes(expectBodyIncludes));
      return { ok, status: outcome.status, excerpt: outcome.excerpt };
    },
  };
}

/** The URL as the runbook wrote it: `${env:…}` placeholders stay unexpanded. */
function redactedUrl(url: string): string {
  return url.split('?')[0]!;
}
