// Failure types a caller can act on; the ingress maps them to HTTP statuses.
export const FailureType = {
  notAuthorized: 'NotAuthorized',
  notFound: 'NotFound',
  conflict: 'Conflict',
  invalid: 'InvalidInput',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** The innermost message of an activity or child failure: the one an IC can act on. */
export function failureMessage(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(cause);
}
