export type FlagValue = boolean | number | string | null | Record<string, unknown> | unknown[];

export interface FlagChangeRequest {
  flagKey: string;
  /** The same key on a retry returns the first result instead of changing anything again. */
  idempotencyKey: string;
  /** Why, for the audit trail (LaunchDarkly shows it as the change comment). */
  comment: string;
}

export interface FlagChangeResult {
  flagKey: string;
  previous: FlagValue | undefined;
  current: FlagValue;
  /** False when the flag already had the wanted state, or this idempotency key was applied before. */
  changed: boolean;
  summary: string;
}

export interface FlagReading {
  flagKey: string;
  on: boolean;
  value: FlagValue;
}

/** Flags are where AI features are switched off; the local file and LaunchDarkly both sit behind this. */
export interface FlagProvider {
  turnFlagOff(request: FlagChangeRequest): Promise<FlagChangeResult>;
  readFlag(flagKey: string): Promise<FlagReading>;
}

export class FlagNotFoundError extends Error {
  constructor(flagKey: string, where: string) {
    super(`Flag "${flagKey}" does not exist in ${where}`);
    this.name = 'FlagNotFoundError';
  }
}
