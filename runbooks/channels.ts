// Where a stakeholder group hears about incidents (directory.yaml `groups.<name>.channels`): a Slack
// channel or DMs, e-mail, a Microsoft Teams Workflows webhook, or a Standard Webhooks endpoint. Secrets
// (a Teams URL, a webhook's signing secret) are named here by environment variable, never written.
import { z } from 'zod';

/** `env:NAME`: the worker reads the value from its environment, so it never reaches a file, history or a log. */
export const envRef = z
  .string()
  .regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, 'must be env:NAME, naming the environment variable that holds it')
  .transform((ref) => ref.slice(4));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const slackChannel = z
  .strictObject({
    kind: z.literal('slack'),
    channel: z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id such as C0123ABCD (not a #name, which can be renamed)')
      .optional()
      .describe('posted by the bot in this channel (invite the bot first)'),
    dm: z.literal(true).optional().describe("a direct message to each member's Slack user id"),
  })
  .refine((c) => (c.channel === undefined) !== (c.dm === undefined), {
    message: 'a slack channel has either `channel: C…` or `dm: true`',
  });

const emailChannel = z.strictObject({
  kind: z.literal('email'),
  to: z
    .array(z.email({ error: 'must be an e-mail address' }))
    .min(1)
    .optional()
    .describe("these addresses (a list address); without it, each member's own e-mail"),
});

const teamsChannel = z
  .strictObject({
    kind: z.literal('teams'),
    urlFrom: envRef
      .optional()
      .describe(
        'env:NAME of the Workflows webhook URL ("When a Teams webhook request is received"); the URL is a credential',
      ),
    url: z.unknown().optional().describe('not allowed: the URL is a credential, give urlFrom'),
  })
  .superRefine((c, ctx) => {
    if (c.url !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'a Teams webhook URL is a credential: put it in an environment variable and write urlFrom: env:NAME',
      });
    else if (c.urlFrom === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['urlFrom'],
        message: 'is required: env:NAME of the Workflows webhook URL',
      });
  })
  .transform(({ kind, urlFrom }) => ({ kind, urlFrom: urlFrom! }));

const webhookChannel = z
  .strictObject({
    kind: z.literal('webhook'),
    url: httpUrl.optional().describe('where to POST (no credentials in it); or urlFrom'),
    urlFrom: envRef.optional().describe('env:NAME of the URL, when the URL itself is a credential'),
    secretFrom: envRef.describe('env:NAME of the Standard Webhooks signing secret (whsec_ + base64)'),
  })
  .refine((c) => (c.url === undefined) !== (c.urlFrom === undefined), {
    message: 'a webhook has either `url` or `urlFrom: env:NAME`',
  });

export const CHANNEL_KINDS = ['slack', 'email', 'teams', 'webhook'] as const;

export const channelSchema = z.discriminatedUnion('kind', [slackChannel, emailChannel, teamsChannel, webhookChannel], {
  error: (issue) => (issue.code === 'invalid_union' ? `kind must be one of ${CHANNEL_KINDS.join(', ')}` : undefined),
});

export type Channel = z.output<typeof channelSchema>;
