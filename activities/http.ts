import { ApplicationFailure } from '@temporalio/common';
import {
  HttpRequestRefused,
  performHttpRequest,
  writtenUrl,
  type HttpRequestOptions,
  type HttpRequestSpec,
} from '../integrations/http/request.js';

/**
 * Runbook http steps. What reaches the workflow (and so the timeline) is the method, the URL as the
 * runbook wrote it and the status: never a response body, which may echo a secret.
 */
export function createHttpActivities(options: HttpRequestOptions = {}) {
  const perform = (request: HttpRequestSpec) =>
    performHttpRequest(request, options).catch((err: unknown) => {
      if (err instanceof HttpRequestRefused) throw ApplicationFailure.nonRetryable(err.message, err.name);
      throw err;
    });
  return {
    /**
     * Succeeds on 2xx. A redirect is not followed (secret headers would go to wherever it points) and
     * fails; 4xx fails at once (retrying will not help); 429 and 5xx are retried by Temporal.
     */
    async httpAction({ request }: { request: HttpRequestSpec }): Promise<{ status: number }> {
      const { status } = await perform(request);
      if (status >= 300) {
        const redirect = status < 400 ? ', a redirect, which http steps do not follow' : '';
        const message = `${request.method} ${writtenUrl(request.url)} answered ${status}${redirect}`;
        if (status === 429 || status >= 500) throw ApplicationFailure.retryable(message, 'HttpError');
        throw ApplicationFailure.nonRetryable(message, 'HttpError');
      }
      return { status };
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
    }): Promise<{ ok: boolean; status: number }> {
      const outcome = await perform(request);
      const ok =
        outcome.status === expectStatus &&
        (expectBodyIncludes === undefined || outcome.body.includes(expectBodyIncludes));
      return { ok, status: outcome.status };
    },
  };
}
