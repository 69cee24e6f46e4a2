// The people directory operators edit (runbooks/directory.yaml): who each person is in every entry
// point, so that one person has one identity whether they sign in with OpenID Connect (their e-mail),
// click in Slack (their Slack user id) or use a personal token (their id); and where each person and
// stakeholder group hears about incidents. Group membership stays in groups.yaml (one source of truth,
// which authorisation reads too); a group here adds its channels.
import { z } from 'zod';
import { channelSchema } from './channels.js';

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
  prefers: z
    .enum(['slack', 'email'], { error: 'must be slack (a direct message) or email' })
    .optional()
    .describe('where personal messages (reminders, digests) go; default Slack when they have an id, else e-mail'),
});

const groupName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and "-"');

export const stakeholderGroupSchema = z.strictObject({
  channels: z
    .array(channelSchema)
    .min(1, 'a group here needs at least one channel (members alone go in groups.yaml)')
    .describe('where the group hears about incidents; members (groups.yaml) without one get their own'),
});

export const directorySchema = z
  .strictObject({
    people: z.array(personSchema).default([]),
    groups: z
      .record(groupName, stakeholderGroupSchema)
      .default({})
      .describe('stakeholder groups the runbooks notify (by name); their members are in groups.yaml'),
  })
  .superRefine((directory, ctx) => {
    directory.people.forEach((person, i) => {
      if (person.prefers && person[person.prefers] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['people', i, 'prefers'],
          message: `prefers ${person.prefers} but has no ${person.prefers === 'slack' ? 'Slack user id (slack)' : 'e-mail'}`,
        });
    });
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
export type StakeholderGroup = z.output<typeof stakeholderGroupSchema>;
export const EMPTY_DIRECTORY: Directory = { people: [], groups: {} };
