export type FlagValue = boolean | number | string | null | Record<string, unknown> | unknown[];

/** The changes containment makes; they mirror LaunchDarkly's semantic-patch instructions. */
export type FlagChange = { kind: 'turnOff' } | { kind: 'turnOn' } | { kind: 'setValue'; value: FlagValue };

export interface FlagChangeRequest {
  flagKey: string;
  change: FlagChange;
  /** The same key on a retry returns the first result instead of changing anything again. */
  idempotencyKey: string;
  /** Why, for the audit trail (LaunchDarkly shows it as the change comment). */
  comment: string;
}

export interface FlagReading {
  flagKey: string;
  on: boolean;
  value: FlagValue;
}

export interface FlagChangeResult {
  flagKey: string;
  previous: FlagReading;
  current: FlagReading;
  /** False when the flag already had the wanted state, or this idempotency key was applied before. */
  changed: boolean;
  summary: string;
}

/** Flags are where AI features are switched off; the local file and LaunchDarkly both sit behind this. */
export interface FlagProvider {
  applyChange(request: FlagChangeRequest): Promise<FlagChangeResult>;
  readFlag(flagKey: string): Promise<FlagReading>;
}

/** A change that cannot succeed by retrying: the flag is missing, or the change does not fit it. */
export class FlagChangeRefused extends Error {
  override name = 'FlagChangeRefused';
}

/** The service asked us to slow down: retry no sooner than `retryAfterMs` from now. */
export class FlagServiceBusy extends Error {
  override name = 'FlagServiceBusy';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
