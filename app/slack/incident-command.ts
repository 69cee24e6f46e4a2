// `/incident …` as typed in Slack, read into what to do. The incident is named by its id anywhere in
// the text, or else is the one whose channel the command was typed in.
import { SEVERITIES, type Severity } from '../../workflows/types.js';
import { normalizeIncidentId } from '../incident-id.js';

export type IncidentCommand =
  | { kind: 'declare' }
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'status'; incidentId?: string }
  | { kind: 'actions'; incidentId?: string }
  | { kind: 'sev'; severity: Severity; incidentId?: string }
  | { kind: 'ic'; user: string; incidentId?: string }
  | { kind: 'resolve'; summary: string; incidentId?: string }
  | { kind: 'update'; text: string; incidentId?: string }
  | { kind: 'classify'; classification: string; awareAt?: string; reason: string; incidentId?: string }
  /** `/incident update` with no text: the update form (text, impact, next update, visibility). */
  | { kind: 'update-form'; incidentId?: string }
  | { kind: 'invalid'; message: string };

export const COMMAND_HELP = [
  '`/incident` or `/incident declare`: declare an incident (opens a form)',
  '`/incident list`: the open incidents',
  '`/incident status`: where this incident stands',
  '`/incident sev P1`: change its severity',
  '`/incident ic @someone`: hand over incident command',
  '`/incident update <text>`: a status update to the stakeholders (the IC or a communicator); `/incident update` alone opens a form',
  '`/incident classify <classification> [aware-at] <reason>`: e.g. `/incident classify personal-data-breach 2026-11-27T09:30:00Z names of other customers in answers`; starts its legal clocks',
  '`/incident resolve <what was done>`: resolve it (IC only)',
  '`/incident actions`: its corrective actions',
  'Outside an incident channel, add the id: `/incident status INC-7K3QX`.',
].join('\n');

export function parseIncidentCommand(text: string): IncidentCommand {
  const idMatch = /(?:^|\s)(INC-[0-9A-Z]{5})(?=\s|$)/i.exec(text);
  const incidentId = idMatch ? normalizeIncidentId(idMatch[1]!) : undefined;
  const rest = (idMatch ? text.replace(idMatch[0], ' ') : text).trim();
  const [word = '', ...args] = rest.split(/\s+/).filter(Boolean);
  const withId = incidentId ? { incidentId } : {};
  switch (word.toLowerCase()) {
    case '':
    case 'declare':
      return { kind: 'declare' };
    case 'help':
      return { kind: 'help' };
    case 'list':
      return { kind: 'list' };
    case 'status':
      return { kind: 'status', ...withId };
    case 'actions':
      return { kind: 'actions', ...withId };
    case 'sev':
    case 'severity': {
      const severity = (args[0] ?? '').toUpperCase();
      if (!(SEVERITIES as readonly string[]).includes(severity))
        return { kind: 'invalid', message: `Severity must be one of ${SEVERITIES.join(', ')}: \`/incident sev P1\`` };
      return { kind: 'sev', severity: severity as Severity, ...withId };
    }
    case 'ic': {
      // Slack escapes a mention as <@U123> or <@U123|name> when the command escapes users (see the manifest).
      const user = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(args[0] ?? '')?.[1];
      if (!user) return { kind: 'invalid', message: 'Name the new IC with a mention: `/incident ic @someone`' };
      return { kind: 'ic', user, ...withId };
    }
    case 'resolve': {
      const summary = args.join(' ').trim();
      if (!summary)
        return {
          kind: 'invalid',
          message:
            'Say what resolved it: `/incident resolve Rolled back to the previous model; jailbreak rate back to baseline`',
        };
      return { kind: 'resolve', summary, ...withId };
    }
    case 'update': {
      // The text as typed, line breaks and spacing kept.
      const text = rest.slice(word.length).trim();
      if (!text) return { kind: 'update-form', ...withId };
      return { kind: 'update', text, ...withId };
    }
    case 'classify': {
      // `[aware-at]` is told from the reason by its shape: an ISO date first (validated as the API does).
      const [classification, maybeAwareAt, ...words] = args;
      if (!classification)
        return {
          kind: 'invalid',
          message: 'Name the classification: `/incident classify personal-data-breach <aware-at> <reason>`',
        };
      const awareAt = /^\d{4}-\d{2}-\d{2}/.test(maybeAwareAt ?? '') ? maybeAwareAt : undefined;
      const reason = (awareAt ? words : [maybeAwareAt, ...words]).filter(Boolean).join(' ');
      return { kind: 'classify', classification, ...(awareAt ? { awareAt } : {}), reason, ...withId };
    }
    default:
      return { kind: 'invalid', message: `Unknown subcommand "${word}".\n${COMMAND_HELP}` };
  }
}
