import type { FlagProvider } from '../integrations/flags/provider.js';
import type { Notifier } from '../integrations/notify/provider.js';
import type { RunbookSource } from '../runbooks/source.js';
import { createFlagActivities } from './flags.js';
import { createHttpActivities } from './http.js';
import { createNotifyActivities } from './notify.js';
import { createRunbookActivities } from './runbooks.js';

export interface ActivityDependencies {
  flags: FlagProvider;
  notifier: Notifier;
  runbooks: RunbookSource;
}

export function createActivities({ flags, notifier, runbooks }: ActivityDependencies) {
  return {
    ...createFlagActivities(flags),
    ...createNotifyActivities(notifier),
    ...createRunbookActivities(runbooks),
    ...createHttpActivities(),
  };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
