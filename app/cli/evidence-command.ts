// `incident override-evidence ID STEP --reason R`: the IC lets a step held for its evidence run without it.
import type { ContainmentStep } from '../../workflows/types.js';
import type { ApiClient } from './api-client.js';
import { formatStep } from './format.js';

export async function overrideEvidenceCommand(
  api: ApiClient,
  args: string[],
  actor: string | undefined,
  reason: string | undefined,
  print: <T>(result: T, text: (r: T) => string) => void,
  usage: (message: string) => Error,
): Promise<number> {
  const [incidentId, stepId] = args;
  if (!incidentId) throw usage('override-evidence needs an incident ID');
  if (!stepId) throw usage(`override-evidence needs a STEP (see \`incident show ${incidentId}\`)`);
  if (!reason?.trim()) throw usage('override-evidence needs --reason: why the step may run without its evidence');
  const step = await api.post<ContainmentStep>(
    `/api/incidents/${encodeURIComponent(incidentId)}/steps/${encodeURIComponent(stepId)}/evidence-override`,
    { actor, reason },
  );
  print(step, formatStep);
  return step.status === 'failed' ? 1 : 0;
}
