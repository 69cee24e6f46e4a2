// Stakeholder delivery as the worker wires it (app/notifier.ts), on a directory written for the test:
// the real library loader, ledger, local inbox and channels; the activities run in Temporal's activity
// context, where a retry is the same activity (same workflow, run and activity id) run again.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WebClient } from '@slack/web-api';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createNotifyActivities } from '../../activities/notify.js';
import { createLogger } from '../../integrations/log.js';
import { EmailChannel } from '../../integrations/notify/email.js';
import { DeliveryLedger } from '../../integrations/notify/ledger.js';
import { LocalLogNotifier } from '../../integrations/notify/local-log.js';
import type { Notification } from '../../integrations/notify/provider.js';
import { StakeholderNotifier } from '../../integrations/notify/stakeholder-notifier.js';
import { loadRunbookLibrary } from '../../runbooks/library.js';
import { tempDir } from './paths.js';

export interface NotifySetup {
  activities: ReturnType<typeof createNotifyActivities>;
  local: LocalLogNotifier;
  ledger: DeliveryLedger;
  /** Every log line written. */
  logs: string[];
  /** Runs `notify` as attempt `attempt` of activity `activityId` of the incident's workflow. */
  notify(notification: Notification, activityId: string, attempt?: number): Promise<unknown>;
  close(): void;
}

export async function notifySetup({
  directoryYaml,
  groupsYaml,
  env = {},
  smtpUrl,
  slack,
}: {
  directoryYaml: string;
  groupsYaml: string;
  env?: Record<string, string>;
  smtpUrl?: string;
  slack?: WebClient;
}): Promise<NotifySetup> {
  const dir = await tempDir('notify');
  await writeFile(join(dir, 'directory.yaml'), directoryYaml);
  await writeFile(join(dir, 'groups.yaml'), groupsYaml);
  const library = await loadRunbookLibrary(dir, env);
  if (library.problems.length) throw new Error(JSON.stringify(library.problems));
  const logs: string[] = [];
  const log = createLogger('info', { format: 'json', write: (line) => logs.push(line) });
  const local = new LocalLogNotifier(join(dir, 'notifications.jsonl'), log);
  const ledger = new DeliveryLedger(join(dir, 'deliveries.jsonl'));
  const email = smtpUrl ? new EmailChannel({ url: smtpUrl, from: 'Incidents <incidents@example.com>' }) : undefined;
  const notifier = new StakeholderNotifier({
    local,
    ledger,
    directory: () => Promise.resolve({ directory: library.directory, groups: library.groups }),
    ...(email ? { email } : {}),
    ...(slack ? { slack } : {}),
    env,
    log,
  });
  const activities = createNotifyActivities(notifier);
  return {
    activities,
    local,
    ledger,
    logs,
    notify: (notification, activityId, attempt = 1) =>
      inActivity(notification.incidentId, activityId, attempt).run(activities.notify, notification),
    close: () => email?.close(),
  };
}

/** Failed attempts are what these tests provoke: the activity environment need not print them. */
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export function inActivity(workflowId: string, activityId: string, attempt = 1): MockActivityEnvironment {
  return new MockActivityEnvironment(
    {
      activityId,
      attempt,
      workflowExecution: { workflowId, runId: '0190c1a4-7b9e-7c3a-9d41-2f6b8e5a1c00' },
    },
    { logger: quiet },
  );
}
