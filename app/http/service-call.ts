import { IncidentError, type IncidentErrorKind } from '../incident-service.js';
import { HttpError } from './json.js';

const STATUS_BY_KIND: Record<IncidentErrorKind, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};

const FIELD_BY_KIND: Record<IncidentErrorKind, string> = {
  invalid: '(body)',
  forbidden: 'actor',
  'not-found': 'id',
  conflict: '(state)',
  unavailable: '(server)',
};

/** Runs a service call; what the service refuses becomes the matching 4xx (or 503), anything else stays a 500. */
export async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof IncidentError) throw new HttpError(STATUS_BY_KIND[err.kind], err.message, [{ field: FIELD_BY_KIND[err.kind], message: err.message }]);
    throw err;
  }
}
