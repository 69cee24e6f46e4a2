// When an open corrective action nags, and whom: the runbook's `postmortem.actionReminders` and its defaults.

/** A runbook's `postmortem.actionReminders`: when an open corrective action nags, and whom. */
export interface ReminderPolicy {
  before: string[];
  overdueEvery: string;
  escalateToIcAfter: string;
  escalateToManagersAfter: string;
  managers: string[];
  /** `HH:MM` on the owner's clock (the directory's time zone; UTC without one, and for actions begun before 'action-reminder-local-time'). */
  digestAt: string;
}

/** The runbook schema's defaults; also what incidents declared before a runbook had reminder settings use. */
export const DEFAULT_REMINDER_POLICY: ReminderPolicy = {
  before: ['3d', '1d'],
  overdueEvery: '1d',
  escalateToIcAfter: '2d',
  escalateToManagersAfter: '7d',
  managers: ['group:eng-managers'],
  digestAt: '09:00',
};
