// What the directory's schema cannot see alone: channels that send to members need the group in
// groups.yaml, and every `env:NAME` must be set, and hold what it should, in the worker's environment.
// Messages name the field and the variable, never its value.
import { Webhook } from 'standardwebhooks';
import type { Directory } from './directory.js';
import type { ApproverGroups } from './schema.js';

export interface DirectoryProblem {
  path: string;
  message: string;
}

export function directoryProblems(
  directory: Directory,
  groups: ApproverGroups,
  env: NodeJS.ProcessEnv,
): DirectoryProblem[] {
  const problems: DirectoryProblem[] = [];
  for (const [name, group] of Object.entries(directory.groups)) {
    group.channels.forEach((channel, i) => {
      const at = `groups.${name}.channels[${i}]`;
      const toMembers = (channel.kind === 'email' && !channel.to) || (channel.kind === 'slack' && channel.dm);
      if (toMembers && !groups[name])
        problems.push({
          path: at,
          message: `sends to the group's members, but groups.yaml has no group "${name}" (add its members there, or name the ${channel.kind === 'email' ? 'addresses with `to`' : 'channel'})`,
        });
      if (channel.kind === 'teams' || channel.kind === 'webhook') {
        if (channel.urlFrom !== undefined) {
          const url = envValue(env, channel.urlFrom, `${at}.urlFrom`, problems);
          if (url !== undefined && !isHttpUrl(url))
            problems.push({ path: `${at}.urlFrom`, message: `${channel.urlFrom} does not hold an http(s) URL` });
        }
      }
      if (channel.kind === 'webhook') {
        const secret = envValue(env, channel.secretFrom, `${at}.secretFrom`, problems);
        if (secret !== undefined && !isWebhookSecret(secret))
          problems.push({
            path: `${at}.secretFrom`,
            message: `${channel.secretFrom} does not hold a Standard Webhooks secret (whsec_ followed by base64)`,
          });
      }
    });
  }
  return problems;
}

function envValue(
  env: NodeJS.ProcessEnv,
  name: string,
  path: string,
  problems: DirectoryProblem[],
): string | undefined {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    problems.push({ path, message: `environment variable ${name} is not set` });
    return undefined;
  }
  return value;
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** What `new Webhook(secret)` accepts: whsec_ (optional) and non-empty base64. */
export function isWebhookSecret(secret: string): boolean {
  if (!/^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(secret)) return false;
  try {
    new Webhook(secret);
    return true;
  } catch {
    return false;
  }
}
