import type {
  FlagChangeRequest,
  FlagChangeResult,
  FlagProvider,
  FlagReading,
  ReadFlagOptions,
} from '../integrations/flags/provider.js';
import { redact } from '../integrations/redaction/redact.js';
import { asActivityFailure } from './failure-classes.js';

export function createFlagActivities(flags: FlagProvider) {
  return {
    async applyFlagChange(request: FlagChangeRequest): Promise<FlagChangeResult> {
      return flags.applyChange({ ...request, comment: redact(request.comment) }).catch(asActivityFailure);
    },
    /** With `expect`, the provider may wait briefly for its evaluation source (LaunchDarkly's stream) to show the change. */
    async readFlag({ flagKey, ...options }: { flagKey: string } & ReadFlagOptions): Promise<FlagReading> {
      return flags.readFlag(flagKey, options).catch(asActivityFailure);
    },
  };
}
