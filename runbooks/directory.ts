// The people directory operators edit (runbooks/directory.yaml): who each person is in every entry
// point, so that one person has one identity whether they sign in with OpenID Connect (their e-mail),
// click in Slack (their Slack user id) or use a personal token (their id).
import { z } from 'zod';

export const DIRECTORY_FILE = 'directory.yaml';

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Paris');

export const personSchema = z.strictObject({
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._-]*$/,
      'must be lower-case letters, digits, ".", "_" and "-" (as groups.yaml and runbooks name people)',
    )
    .describe('how runbooks, groups.yaml and the timeline name this person'),
  name: z.string().min(1).optional().describe('display name'),
  email: z
    .email({ error: 'must be an e-mail address' })
    .optional()
    .describe('as the identity provider knows them (OpenID Connect)'),
  slack: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id such as U0123ABCD')
    .optional()
    .describe('their Slack user id'),
  timezone: timeZone.optional().describe('where they are, for reminders and digests'),
});

export const directorySchema = z
  .strictObject({ people: z.array(personSchema).default([]) })
  .superRefine((directory, ctx) => {
    for (const key of ['id', 'email', 'slack'] as const) {
      const seen = new Map<string, number>();
      directory.people.forEach((person, i) => {
        const value = person[key]?.toLowerCase();
        if (value === undefined) return;
        if (seen.has(value))
          ctx.addIssue({
            code: 'custom',
            path: ['people', i, key],
            message: `${key} "${person[key]}" is also people[${seen.get(value)}]'s`,
          });
        seen.set(value, i);
      });
    }
  });

export type Directory = z.output<typeof directorySchema>;
export type Person = z.output<typeof personSchema>;
