// The obligations' words and defaults, without zod: the workflows import these (runbooks/obligations.ts
// has the schema that validates a runbook's `obligations`).

/** The phases a report may come in; an obligation lists those it accepts, in this order. */
export const OBLIGATION_PHASES = ['initial', 'follow-up', 'final'] as const;
export type ObligationPhase = (typeof OBLIGATION_PHASES)[number];

/** Which report draft an obligation gets (app/obligation-drafts.ts): its regime's required items. */
export const REPORT_TEMPLATES = ['gdpr-art-33', 'ai-act-art-73', 'generic'] as const;
export type ReportTemplate = (typeof REPORT_TEMPLATES)[number];

export const DEFAULT_OBLIGATION_REMINDERS = [50, 75, 90];
export const DEFAULT_OBLIGATION_ESCALATION = ['group:eng-managers'];

/** `personal-data-breach`, `serious-incident`, `serious-incident:death`: a word, optionally qualified. */
export const classificationPattern = /^[a-z0-9][a-z0-9-]*(:[a-z0-9][a-z0-9-]*)?$/;

/** Every classification the obligations know, in order of first mention. */
export function knownClassifications(obligations: readonly { triggers: readonly string[] }[]): string[] {
  return [...new Set(obligations.flatMap((o) => o.triggers))];
}
