// Failure types a caller can act on; app/incident-error.ts passes them on as the IncidentError kind, and
// app/http/service-call.ts maps each to its HTTP status.
export const FailureType = {
  notAuthorized: 'NotAuthorized',
  notFound: 'NotFound',
  conflict: 'Conflict',
  invalid: 'InvalidInput',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

const FAILURE_TYPES: readonly string[] = Object.values(FailureType);

export function isFailureType(type: string | undefined): type is FailureType {
  return type !== undefined && FAILURE_TYPES.includes(type);
}

/** The innermost message of an activity or child failure: the one an IC can act on. */
export function failureMessage(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(cause);
}
