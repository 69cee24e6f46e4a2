import { ApplicationFailure } from '@temporalio/common';
import { ServiceBusy, ServiceRefused } from '../integrations/service-errors.js';

/**
 * How a provider's failure reaches Temporal: a refusal fails the activity at once (the workflow records the
 * step as failed and tells the IC), a busy service is retried when it said, anything else on the usual backoff.
 */
export function asActivityFailure(err: unknown): never {
  if (err instanceof ServiceRefused) throw ApplicationFailure.nonRetryable(err.message, err.name);
  if (err instanceof ServiceBusy)
    throw ApplicationFailure.create({ message: err.message, type: err.name, nextRetryDelay: err.retryAfterMs });
  throw err;
}
