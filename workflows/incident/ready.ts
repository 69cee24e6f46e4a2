// Update handlers exist from the first moment of the workflow, before its runbook is loaded.
import { condition, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Incident } from './incident.js';

export type HandleOnceReady = ReturnType<typeof onceReady>;

export function onceReady(incident: Incident) {
  /**
   * Update handlers exist from the first moment (an approval may arrive while the runbook loads), but
   * judge a request only once the runbook is loaded: the validator defers, the handler waits and judges.
   */
  return <Args extends unknown[], Ret>(
    update: UpdateDefinition<Ret, Args>,
    validate: (...args: NoInfer<Args>) => void,
    handle: (...args: NoInfer<Args>) => NoInfer<Ret> | Promise<NoInfer<Ret>>,
  ) => {
    setHandler(
      update,
      async (...args: Args) => {
        if (!incident.ready) {
          await condition(() => incident.ready);
          validate(...args);
        }
        return handle(...args);
      },
      { validator: (...args: Args) => (incident.ready ? validate(...args) : undefined) },
    );
  };
}
