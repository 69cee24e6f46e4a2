import { incidentIdPattern, normalizeIncidentId } from '../incident-id.js';
import { HttpError } from './json.js';

/** The `:id` of a route, normalised; a 404 naming `id` when it is no incident id. */
export function incidentIdParam(params: Record<string, string>): string {
  const normalized = normalizeIncidentId(params.id ?? '');
  if (!incidentIdPattern.test(normalized))
    throw new HttpError(404, `No incident ${params.id}`, [
      { field: 'id', message: 'not an incident id such as INC-7K3QX' },
    ]);
  return normalized;
}
