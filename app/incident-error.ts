// The one error vocabulary of the service: a workflow's refusal keeps its FailureType as the kind, and
// 'Unavailable' is Temporal out of reach. The HTTP layer maps each kind to a status (http/service-call.ts).
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { FailureType, isFailureType } from '../workflows/failures.js';

export const UNAVAILABLE = 'Unavailable';
/** One person's requests to one incident came faster than app/request-rate.ts lets them. */
export const TOO_MANY_REQUESTS = 'TooManyRequests';
export type IncidentErrorKind = FailureType | typeof UNAVAILABLE | typeof TOO_MANY_REQUESTS;

export class IncidentError extends Error {
  override name = 'IncidentError';
  constructor(
    readonly kind: IncidentErrorKind,
    message: string,
    /** The request field at fault, when one is (a filter, a cursor); the HTTP answer names it. */
    readonly field?: string,
    /** When to try again (TooManyRequests). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

// gRPC status codes (grpc/status.proto); @grpc/grpc-js is not our dependency.
const grpcStatus = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, UNAVAILABLE: 14 } as const;

/** The IncidentError a Temporal failure means for incident `id`, or `err` itself when it is none a caller can act on. */
export function translate(err: unknown, id?: string): unknown {
  if (err instanceof IncidentError) return err;
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const type = err.cause.type ?? undefined;
    return new IncidentError(isFailureType(type) ? type : FailureType.conflict, err.cause.message);
  }
  // Updates and signals to a finished workflow arrive as "not found" too.
  if (err instanceof WorkflowNotFoundError) return notFound(err, id);
  if (err instanceof ServiceError) {
    const code = (err.cause as { code?: number } | undefined)?.code;
    if (code === grpcStatus.NOT_FOUND) return notFound(err, id);
    if (code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED) {
      return new IncidentError(UNAVAILABLE, `Temporal is unavailable: ${err.message}`);
    }
  }
  return err;
}

function notFound(err: Error, id: string | undefined): IncidentError {
  return /completed|closed/i.test(err.message)
    ? new IncidentError(FailureType.conflict, `${id} is resolved and closed`)
    : new IncidentError(FailureType.notFound, `No incident ${id}`);
}
