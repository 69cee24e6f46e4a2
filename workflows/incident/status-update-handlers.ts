// The `post-status-update` Update: the IC (or a communicator the runbook's policy names) writes a status
// update once; it goes on the timeline, into the postmortem and the pinned Slack status, and to the
// stakeholder groups of the current severity through their channels (product.md §7).
import { FailureType } from '../failures.js';
import { postStatusUpdateUpdate, type PostStatusUpdateInput } from '../messages.js';
import type { StatusUpdate, UpdateVisibility } from '../types.js';
import type { Closure } from './closure.js';
import type { Incident } from './incident.js';
import type { HandleOnceReady } from './ready.js';
import { actorOf, now, refuse, requireActor, requireText } from './requests.js';
import { countUpdate } from './status-updates.js';

export const MAX_UPDATE_TEXT = 4_000;
export const MAX_UPDATE_IMPACT = 500;
const VISIBILITIES: readonly UpdateVisibility[] = ['internal', 'public'];

export function registerStatusUpdateHandlers(incident: Incident, closure: Closure, handleOnceReady: HandleOnceReady) {
  const { state } = incident;

  handleOnceReady(
    postStatusUpdateUpdate,
    (input) => {
      requireActor(input?.actor);
      if (state.status === 'closed') refuse(FailureType.conflict, `${state.id} is closed`);
      incident.requirePermission('postUpdate', input, `post a status update on ${state.id}`);
      const text = requireText(input.text, 'text');
      if (text.length > MAX_UPDATE_TEXT)
        refuse(FailureType.invalid, `text is ${text.length} characters; at most ${MAX_UPDATE_TEXT}`);
      if (input.impact !== undefined) {
        if (typeof input.impact !== 'string') refuse(FailureType.invalid, 'impact must be text');
        if (input.impact.trim().length > MAX_UPDATE_IMPACT)
          refuse(
            FailureType.invalid,
            `impact is ${input.impact.trim().length} characters; at most ${MAX_UPDATE_IMPACT}`,
          );
      }
      if (input.nextUpdateAt !== undefined) {
        const next = typeof input.nextUpdateAt === 'string' ? Date.parse(input.nextUpdateAt) : NaN;
        if (Number.isNaN(next) || !/^\d{4}-\d{2}-\d{2}T/.test(String(input.nextUpdateAt)))
          refuse(FailureType.invalid, `nextUpdateAt must be an ISO date-time, not "${String(input.nextUpdateAt)}"`);
        if (next <= Date.now()) refuse(FailureType.invalid, `nextUpdateAt ${input.nextUpdateAt} is not in the future`);
      }
      const visibility = input.visibility ?? 'internal';
      if (!VISIBILITIES.includes(visibility))
        refuse(FailureType.invalid, `visibility must be one of ${VISIBILITIES.join(', ')}`);
      if (visibility === 'public' && !state.publicListing)
        refuse(
          FailureType.conflict,
          `${state.id} is not on the status page: publish it first (incident publish ${state.id} --title "…")`,
        );
    },
    (input) => post(incident, closure, input),
  );
}

function post(incident: Incident, closure: Closure, input: PostStatusUpdateInput): StatusUpdate {
  const { state } = incident;
  const by = actorOf(input);
  const impact = input.impact?.trim();
  const update: StatusUpdate = {
    id: `U${(state.updates?.length ?? 0) + 1}`,
    at: now(),
    by: by.actor,
    ...(by.via ? { via: by.via } : {}),
    text: input.text.trim(),
    ...(impact ? { impact } : {}),
    ...(input.nextUpdateAt ? { nextUpdateAt: new Date(Date.parse(input.nextUpdateAt)).toISOString() } : {}),
    visibility: input.visibility ?? 'internal',
  };
  incident.acknowledgedBy(input.actor);
  countUpdate(incident);
  (state.updates ??= []).push(update);
  const next = update.nextUpdateAt ? ` Next update by ${update.nextUpdateAt}.` : '';
  incident.record(
    'update.posted',
    by,
    `Status update ${update.id} (${update.visibility}): ${update.text}${impact ? ` Impact: ${impact}.` : ''}${next}`,
    { updateId: update.id, visibility: update.visibility },
  );
  closure.refreshPostmortem();
  const audience = incident.runbook.notifications[state.severity]?.notify ?? [];
  void incident.notify(
    audience,
    `Status update ${update.id}: ${state.title}`,
    [
      `${state.id} (${state.severity}, ${state.status}), IC ${state.commander}: ${update.text}`,
      ...(impact ? [`Impact: ${impact}`] : []),
      ...(update.nextUpdateAt ? [`Next update by ${update.nextUpdateAt}.`] : []),
      `Posted by ${update.by} as ${update.id}.`,
    ].join('\n'),
    `${state.id}/update/${update.id}`,
  );
  return update;
}
