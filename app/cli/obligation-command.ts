// `incident classify|unclassify|obligation|report-draft`: classifications and obligations through the API.
import type { IncidentState, ObligationClock } from '../../workflows/types.js';
import { renderObligationDraft, type ObligationDraft } from '../obligation-drafts.js';
import type { ApiClient } from './api-client.js';
import { formatObligation, obligationLines } from './obligation-format.js';

export interface ObligationOptions {
  reason?: string;
  'aware-at'?: string;
  reference?: string;
  phase?: string;
  reasons?: string;
}

export async function obligationCommand(
  api: ApiClient,
  command: 'classify' | 'unclassify' | 'obligation' | 'report-draft',
  args: string[],
  actor: string | undefined,
  values: ObligationOptions,
  print: <T>(result: T, text: (r: T) => string) => void,
  usage: (message: string) => Error,
): Promise<number> {
  const sub = command === 'obligation' ? args.shift() : undefined;
  const [incidentId, second] = args;
  const what = command === 'obligation' ? `obligation ${sub ?? ''}` : command;
  if (!incidentId) throw usage(`${what} needs an incident ID`);
  const base = `/api/incidents/${encodeURIComponent(incidentId)}`;
  const needObligation = () => {
    if (!second) throw usage(`${what} needs an OBLIGATION id (see \`incident obligation list ${incidentId}\`)`);
    return `${base}/obligations/${encodeURIComponent(second)}`;
  };
  switch (command) {
    case 'classify':
    case 'unclassify': {
      if (!second) throw usage(`${command} needs a CLASSIFICATION such as personal-data-breach`);
      const path = command === 'classify' ? `${base}/classifications` : `${base}/classifications/withdraw`;
      const incident = await api.post<IncidentState>(path, {
        actor,
        classification: second,
        reason: values.reason,
        ...(command === 'classify' && values['aware-at'] ? { awareAt: values['aware-at'] } : {}),
      });
      print(incident, (i) => obligationLines(i).slice(1).join('\n'));
      return 0;
    }
    case 'report-draft': {
      const draft = await api.get<ObligationDraft>(`${needObligation()}/draft`);
      print(draft, (d) => renderObligationDraft(d).trimEnd());
      return 0;
    }
    case 'obligation':
      if (sub === 'list') {
        const { obligations } = await api.get<{ obligations: ObligationClock[] }>(`${base}/obligations`);
        print(obligations, (list) => (list.length ? list.map(formatObligation).join('\n') : 'No obligations.'));
        return 0;
      }
      if (sub === 'submit') {
        const clock = await api.post<ObligationClock>(`${needObligation()}/submissions`, {
          actor,
          phase: values.phase,
          reference: values.reference,
          ...(values.reasons ? { reasons: values.reasons } : {}),
        });
        print(clock, formatObligation);
        return 0;
      }
      throw usage(`Unknown obligation command "${sub ?? ''}" (list, submit)`);
  }
}
