import { FailureType } from '../../workflows/failures.js';
import { IncidentError, TOO_MANY_REQUESTS, UNAVAILABLE, type IncidentErrorKind } from '../incident-error.js';
import { HttpError } from './json.js';

/** Every refusal of the service as HTTP: its status, and the field its one detail names. */
export const HTTP_ANSWER_BY_KIND: Record<IncidentErrorKind, { status: number; field: string }> = {
  [FailureType.invalid]: { status: 400, field: '(body)' },
  [FailureType.notAuthorized]: { status: 403, field: 'actor' },
  [FailureType.notFound]: { status: 404, field: 'id' },
  [FailureType.conflict]: { status: 409, field: '(state)' },
  [UNAVAILABLE]: { status: 503, field: '(server)' },
  [TOO_MANY_REQUESTS]: { status: 429, field: 'actor' },
};

/** Runs a service call; what the service refuses becomes the matching 4xx (or 503), anything else stays a 500. */
export async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof IncidentError)) throw err;
    const { status, field } = HTTP_ANSWER_BY_KIND[err.kind];
    const headers: Record<string, string> =
      err.retryAfterSeconds === undefined ? {} : { 'retry-after': String(err.retryAfterSeconds) };
    throw new HttpError(status, err.message, [{ field: err.field ?? field, message: err.message }], headers);
  }
}
