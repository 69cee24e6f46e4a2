import type { RunbookQuery } from '../runbooks/library.js';
import type { RunbookSnapshot, RunbookSource } from '../runbooks/source.js';

export function createRunbookActivities(source: RunbookSource) {
  return {
    /** The incident keeps what this returns for its whole life: editing a file never changes it. */
    async loadRunbook(query: RunbookQuery): Promise<RunbookSnapshot> {
      return source.snapshot(query);
    },
  };
}
