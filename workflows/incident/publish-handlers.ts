// The `publish-incident` Update: whoever the policy allows (the IC by default) puts the incident on the
// public status page under a title of their own for the public; publishing again changes that title.
import { DEFAULT_POLICY } from '../../runbooks/roles.js';
import { FailureType } from '../failures.js';
import { publishIncidentUpdate } from '../messages.js';
import { publicTitleProblem } from '../public-listing.js';
import type { Incident } from './incident.js';
import type { HandleOnceReady } from './ready.js';
import { actorOf, now, refuse, requireActor } from './requests.js';

export function registerPublishHandler(incident: Incident, handleOnceReady: HandleOnceReady) {
  const { state } = incident;

  handleOnceReady(
    publishIncidentUpdate,
    (input) => {
      requireActor(input?.actor);
      if (state.status === 'closed') refuse(FailureType.conflict, `${state.id} is closed`);
      // Incidents whose policy snapshot predates the permission take the default.
      incident.requirePermission(
        incident.policy.publish ?? DEFAULT_POLICY.publish,
        input,
        `publish ${state.id} on the status page`,
      );
      const problem = publicTitleProblem(input.title);
      if (problem) refuse(FailureType.invalid, `title ${problem}`);
      if (state.publicListing?.title === input.title.trim())
        refuse(FailureType.conflict, `${state.id} is already published as "${state.publicListing.title}"`);
    },
    (input) => {
      const title = input.title.trim();
      const by = actorOf(input);
      const before = state.publicListing;
      state.publicListing = { title, since: before?.since ?? now(), by: by.actor };
      incident.record(
        'incident.published',
        by,
        before
          ? `Public title changed from "${before.title}" to "${title}"`
          : `Published on the status page as "${title}"`,
        { title, ...(before ? { previousTitle: before.title } : {}) },
      );
      incident.publish();
      return state;
    },
  );
}
