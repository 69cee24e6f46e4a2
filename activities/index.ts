import type { FlagProvider } from '../integrations/flags/provider.js';
import { createFlagActivities } from './flags.js';

export interface ActivityDependencies {
  flags: FlagProvider;
}

export function createActivities({ flags }: ActivityDependencies) {
  return { ...createFlagActivities(flags) };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
