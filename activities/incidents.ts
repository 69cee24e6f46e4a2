import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { incidentWorkflow } from '../workflows/incident/workflow.js';
import { incidentStartOptions } from '../workflows/search-attributes.js';
import type { DeclareInput } from '../workflows/types.js';

/**
 * Opens the incident of an alert group as a workflow of its own, not as a child of the intake: an
 * intake with thousands of groups then never meets Temporal's limit on pending children.
 */
export function createIncidentActivities() {
  return {
    /**
     * `started` when the incident runs (a retry finds the one it started); `clash` when its id belongs
     * to another incident, so that the intake draws another id.
     */
    async startIncident(input: DeclareInput): Promise<'started' | 'clash'> {
      const { client, info } = Context.current();
      try {
        await client.workflow.start<typeof incidentWorkflow>('incidentWorkflow', {
          ...incidentStartOptions(input),
          taskQueue: info.taskQueue,
          args: [input],
        });
        return 'started';
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        const { memo } = await client.workflow.getHandle(input.id).describe();
        return memo?.alertGroup === input.alertGroup && memo?.fingerprint === input.fingerprint ? 'started' : 'clash';
      }
    },
  };
}
