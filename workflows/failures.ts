// Failure types a caller can act on; the ingress maps them to HTTP statuses.
export const FailureType = {
  notAuthorized: 'NotAuthorized',
  notFound: 'NotFound',
  conflict: 'Conflict',
  invalid: 'InvalidInput',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
