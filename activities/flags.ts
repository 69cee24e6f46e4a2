import { ApplicationFailure } from '@temporalio/common';
import type { FlagChangeRequest, FlagChangeResult, FlagProvider, FlagReading } from '../integrations/flags/provider.js';
import { FlagChangeRefused, FlagServiceBusy } from '../integrations/flags/provider.js';

export function createFlagActivities(flags: FlagProvider) {
  return {
    async applyFlagChange(request: FlagChangeRequest): Promise<FlagChangeResult> {
      return flags.applyChange(request).catch(withoutPointlessRetries);
    },
    async readFlag({ flagKey }: { flagKey: string }): Promise<FlagReading> {
      return flags.readFlag(flagKey).catch(withoutPointlessRetries);
    },
  };
}

/** A missing flag or a change that does not fit it will not succeed by retrying: fail at once so the IC hears. */
function withoutPointlessRetries(err: unknown): never {
  if (err instanceof FlagChangeRefused) throw ApplicationFailure.nonRetryable(err.message, err.name);
  // Rate limited: retry when the service says, not on the usual backoff.
  if (err instanceof FlagServiceBusy) throw ApplicationFailure.create({ message: err.message, type: err.name, nextRetryDelay: err.retryAfterMs });
  throw err;
}
