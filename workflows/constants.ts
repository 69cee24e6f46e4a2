// What every workflow here shares: how activities are called, who `system` is, how long a day is.
import type { ActivityOptions } from '@temporalio/workflow';

/** Each call to an external system: 30 s per attempt, five attempts over about half a minute. */
export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

/** The actor of what the workflow does on its own: timeouts, pre-approvals, verifications. */
export const SYSTEM = 'system';

export const DAY_MS = 86_400_000;
