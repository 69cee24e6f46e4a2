// One spelling per path. The router and the authentication see the same segments, so no spelling of
// a path (`/.//api/…`, `/%2e//api/…`, `/x/..//api/…`, `/metrics/`) can reach a route unauthenticated:
// anything but plain segments is refused before a route is chosen.
import { HttpError } from './json.js';

/** The decoded segments of a request target, or a 400 naming what is wrong with it. */
export function canonicalSegments(target: string | undefined): string[] {
  const raw = (target ?? '/').split(/[?#]/, 1)[0]!;
  const refuse = (why: string): never => {
    throw new HttpError(400, `Request path refused: ${why}`, [{ field: '(path)', message: why }]);
  };
  if (!raw.startsWith('/')) refuse('it must start with /');
  if (raw.includes('\\')) refuse('it contains a backslash');
  if (/%(2f|5c)/i.test(raw)) refuse('it contains an encoded slash or backslash');
  if (raw === '/') return [];
  const parts = raw.slice(1).split('/');
  return parts.map((part) => {
    if (part === '') refuse('it has an empty segment (// or a trailing /)');
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return refuse(`segment "${part}" is not valid percent-encoding`);
    }
    if (segment === '.' || segment === '..') refuse('it has a dot segment (. or ..)');
    if (/[\p{Cc}]/u.test(segment)) refuse('it contains a control character');
    return segment;
  });
}
