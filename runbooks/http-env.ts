// Which worker environment variables a runbook's http step may read through `${env:NAME}`.
// Runbook editors are trusted less than whoever holds the product's own credentials (API_TOKEN,
// SLACK_BOT_TOKEN, GITHUB_TOKEN, TEMPORAL_API_KEY…), so only names the operator allows are filled in.

/** `${env:NAME}` as runbooks write it. */
export const ENV_REFERENCE = /\$\{env:([A-Za-z0-9_]+)\}/g;

/** What RUNBOOK_ENV_ALLOW defaults to: every name with the prefix RUNBOOK_SECRET_. */
export const DEFAULT_ENV_ALLOW = 'RUNBOOK_SECRET_*';

/** One entry of RUNBOOK_ENV_ALLOW: an exact name, or a prefix ending in `*`. */
export const ENV_ALLOW_ENTRY = /^[A-Z0-9_]+\*?$/;

export interface EnvAllowRule {
  allows(name: string): boolean;
  /** The rule in words, for error messages. */
  describe: string;
}

/** The rule RUNBOOK_ENV_ALLOW sets (comma-separated names and `PREFIX*`s; default RUNBOOK_SECRET_*). */
export function envAllowRule(env: NodeJS.ProcessEnv = process.env): EnvAllowRule {
  const text = env.RUNBOOK_ENV_ALLOW?.trim() || DEFAULT_ENV_ALLOW;
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => ENV_ALLOW_ENTRY.test(e));
  return {
    allows: (name) => entries.some((e) => (e.endsWith('*') ? name.startsWith(e.slice(0, -1)) : name === e)),
    describe: `runbooks may read only the environment variables RUNBOOK_ENV_ALLOW allows (${entries.join(', ') || 'none'})`,
  };
}

/** The names a text refers to with `${env:NAME}`. */
export function envReferences(text: string): string[] {
  return [...text.matchAll(ENV_REFERENCE)].map((m) => m[1]!);
}

/** Why a runbook may not use `${env:name}`, or undefined when it may. */
export function envReferenceRefusal(name: string, rule: EnvAllowRule): string | undefined {
  return rule.allows(name) ? undefined : `\${env:${name}} is not allowed: ${rule.describe}`;
}
