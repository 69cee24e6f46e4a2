import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { ReminderItem } from '../workflows/messages.js';
import { queueReminderSignal, withdrawRemindersSignal } from '../workflows/messages.js';
import { reminderDigestWorkflow, reminderDigestWorkflowId } from '../workflows/reminder-digest.js';

/** Hands reminders to each person's digest workflow, starting it if it is not running (signal-with-start). */
export function createReminderActivities() {
  return {
    async queueReminder({ recipient, item }: { recipient: string; item: ReminderItem }): Promise<void> {
      const { client, info } = Context.current();
      await client.workflow.signalWithStart(reminderDigestWorkflow, {
        workflowId: reminderDigestWorkflowId(recipient),
        taskQueue: info.taskQueue,
        args: [{ recipient }],
        signal: queueReminderSignal,
        signalArgs: [item],
      });
    },

    async withdrawReminders({
      recipients,
      actionWorkflowId,
    }: {
      recipients: string[];
      actionWorkflowId: string;
    }): Promise<void> {
      const { client } = Context.current();
      for (const recipient of recipients) {
        try {
          await client.workflow
            .getHandle(reminderDigestWorkflowId(recipient))
            .signal(withdrawRemindersSignal, { actionWorkflowId });
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err; // no digest pending: nothing to withdraw
        }
      }
    },
  };
}
