import { ServiceBusy, ServiceRefused } from '../service-errors.js';

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
  /** Where the reading came from, for people: `the LaunchDarkly SDK for user "incident-verifier"`, `the LaunchDarkly REST API`. */
  observedVia?: string;
}

/** A LaunchDarkly-style evaluation context: who a flag is evaluated for (`{ kind: 'user', key: 'u-42' }`). */
export interface FlagContext {
  kind: string;
  key: string;
  [attribute: string]: unknown;
}

export interface ReadFlagOptions {
  /**
   * The caller has just made this change: the provider may wait briefly (bounded) for its evaluation
   * source to show it, then returns the latest reading either way. Whether the change took effect is
   * the caller's decision (`changeTookEffect`).
   */
  expect?: FlagChange;
  /** Evaluate for this context; providers that do not evaluate per context ignore it. */
  context?: FlagContext;
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
  readFlag(flagKey: string, options?: ReadFlagOptions): Promise<FlagReading>;
  /** The flag's whole configuration as the provider keeps it (variations, targeting, on/off), for evidence. */
  readConfiguration(flagKey: string): Promise<Record<string, unknown>>;
  /** Lets go of connections (LaunchDarkly's SDK stream) at shutdown. */
  close?(): void;
}

/** A change that cannot succeed by retrying: the flag is missing, or the change does not fit it. */
export class FlagChangeRefused extends ServiceRefused {
  override name = 'FlagChangeRefused';
}

/** The flag service asked us to slow down. */
export class FlagServiceBusy extends ServiceBusy {
  override name = 'FlagServiceBusy';
}
