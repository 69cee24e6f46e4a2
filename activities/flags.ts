import { ApplicationFailure } from '@temporalio/common';
import type { FlagChangeRequest, FlagChangeResult, FlagProvider, FlagReading } from '../integrations/flags/provider.js';
import { FlagNotFoundError } from '../integrations/flags/provider.js';

export function createFlagActivities(flags: FlagProvider) {
  return {
    async turnFlagOff(request: FlagChangeRequest): Promise<FlagChangeResult> {
      return flags.turnFlagOff(request).catch(withoutPointlessRetries);
    },
    async readFlag({ flagKey }: { flagKey: string }): Promise<FlagReading> {
      return flags.readFlag(flagKey).catch(withoutPointlessRetries);
    },
  };
}

/** A missing or mistyped flag will not appear by retrying: fail at once so the IC hears about it. */
function withoutPointlessRetries(err: unknown): never {
  if (err instanceof FlagNotFoundError || err instanceof TypeError) {
    throw ApplicationFailure.nonRetryable(err.message, err.name);
  }
  throw err;
}
