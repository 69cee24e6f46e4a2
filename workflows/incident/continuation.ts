// Continue-as-new: well before its history nears Temporal's limits (51,200 events, 50 MB), an incident
// starts a fresh run that carries everything it knows. It continues only at a quiet moment (no call to
// another system in flight, every Update handled), and each wait of the new run resumes at the absolute
// time it had: a step's decisionDue, the status update due time, the undo and postmortem windows.
import { allHandlersFinished, condition, workflowInfo } from '@temporalio/workflow';
import type { Policy } from '../../runbooks/roles.js';
import type { ApproverGroups, Runbook } from '../../runbooks/schema.js';
import type { DeclareInput, IncidentState } from '../types.js';
import type { Incident, StepPlan } from './incident.js';

/** Events after which a run continues as new, unless the server suggests it sooner (about 4,000 by default). */
export const CONTINUE_AFTER_EVENTS = 10_000;
/** History bytes after which a run continues as new. */
const CONTINUE_AFTER_BYTES = 8 * 1024 * 1024;

/** What a run hands to the next: the state and what the workflow keeps beside it. */
export interface CarriedIncident {
  /** Runs before this one. */
  runs: number;
  state: IncidentState;
  runbook: Runbook;
  groups: ApproverGroups;
  policy: Policy;
  plans: [string, StepPlan][];
  vouched: string[];
  /** Each counted refusal: its key and its place on the timeline. */
  refusals: [string, number][];
  /** The chat messages posted (by key: their ts) and what each last showed. */
  chat: { messages: [string, string][]; shown: [string, string][] };
  /** Actions whose child workflow is gone. */
  untracked: string[];
  /** Whether the runbook's auto-resolve follows this incident's alerts. */
  autoResolve: boolean;
}

/** The incident workflow's input: a declaration, or a declaration and what the previous run carried. */
export interface IncidentRunInput extends DeclareInput {
  continued?: CarriedIncident;
  /** Overrides CONTINUE_AFTER_EVENTS (tests). */
  continueAfterEvents?: number;
}

/** Whether the history is long enough to move on, by the server's suggestion or our own limits. */
function historyIsLong(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit || info.historySize >= CONTINUE_AFTER_BYTES;
}

/**
 * Resolves with what to carry once the history is long and the incident is quiet. The carry is taken
 * and the incident frozen in the same synchronous step that finds it quiet, so nothing that wakes later
 * in this activation (a timer, a chat refresh) can change the incident or reach another system before
 * the run ends; whatever it would have done, the next run does.
 */
export function continueWhenLong(
  incident: Incident,
  carry: () => Omit<CarriedIncident, 'runs'>,
  limit = CONTINUE_AFTER_EVENTS,
): Promise<CarriedIncident> {
  let carried: CarriedIncident | undefined;
  const runs = (incident.input as IncidentRunInput).continued?.runs ?? 0;
  return condition(() => {
    if (incident.state.status === 'closed' || !incident.idle() || !allHandlersFinished() || !historyIsLong(limit))
      return false;
    carried = JSON.parse(JSON.stringify({ runs: runs + 1, ...carry() })) as CarriedIncident;
    incident.freeze();
    return true;
  }).then(() => carried!);
}
