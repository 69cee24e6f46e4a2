// What the public status page may show of an incident's title: checked the same way by the HTTP schema
// and by the incident workflow's validator. Pure: runs in the workflow sandbox and in the API process.

export const PUBLIC_TITLE_MAX = 200;

/** Control characters and the bidirectional overrides that would make a title read other than it is. */
const UNSHOWABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** Why `value` cannot be a public title, or undefined when it can (after trimming). */
export function publicTitleProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'is required';
  if (value.trim().length > PUBLIC_TITLE_MAX) return `must be at most ${PUBLIC_TITLE_MAX} characters`;
  if (UNSHOWABLE.test(value)) return 'may not contain control characters';
  return undefined;
}
