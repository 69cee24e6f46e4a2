import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentService } from '../../app/incident-service.js';
import { createLocalWorker, startTimeSkipping } from '../../app/time-skipping.js';
import { createLogger } from '../../integrations/log.js';
import { LocalLogNotifier } from '../../integrations/notify/local-log.js';
import { StakeholderNotifier } from '../../integrations/notify/stakeholder-notifier.js';
import { LocalFileTicketProvider } from '../../integrations/ticketing/local-file.js';
import { LocalFileFlagProvider } from '../../integrations/flags/local-file.js';
import { RunbookSource } from '../../runbooks/source.js';
import { repoRoot, tempDir } from './paths.js';

export interface TimeSkippingContext {
  env: TestWorkflowEnvironment;
  service: IncidentService;
  flags: LocalFileFlagProvider;
  tickets: LocalFileTicketProvider;
  notifier: LocalLogNotifier;
  dataDir: string;
  runbooks: RunbookSource;
}

/** Runs `body` against the time-skipping server, a worker with the real activities, and the runbook library. */
export async function withTimeSkipping<T>(
  body: (ctx: TimeSkippingContext) => Promise<T>,
  {
    runbooksDir = join(repoRoot, 'runbooks'),
    ticketPollEvery,
    directory = false,
  }: {
    runbooksDir?: string;
    ticketPollEvery?: string;
    /** Deliver through the directory (runbooks/directory.yaml: people's time zones), every channel the local inbox. */
    directory?: boolean;
  } = {},
): Promise<T> {
  const dataDir = await tempDir('incident-ts');
  await cp(runbooksDir, join(dataDir, 'runbooks'), { recursive: true, filter: (src) => !src.endsWith('.ts') });
  const runbooks = new RunbookSource(join(dataDir, 'runbooks'));
  await runbooks.requireValid();
  const flags = new LocalFileFlagProvider(join(dataDir, 'flags.json'));
  await flags.ensureExists();
  const tickets = new LocalFileTicketProvider(
    join(dataDir, 'tickets.json'),
    ticketPollEvery ? { pollEvery: ticketPollEvery } : {},
  );
  const notifier = new LocalLogNotifier(join(dataDir, 'notifications.jsonl'), createLogger('error'));
  const env = await startTimeSkipping();
  try {
    const delivery = directory
      ? new StakeholderNotifier({ local: notifier, directory: () => runbooks.current(), log: createLogger('error') })
      : notifier;
    const worker = await createLocalWorker(env, { taskQueue: 'ts', flags, runbooks, tickets, notifier: delivery });
    const service = new IncidentService(env.client, { taskQueue: 'ts', runbooks, tickets });
    return await worker.runUntil(body({ env, service, flags, tickets, notifier, dataDir, runbooks }));
  } finally {
    await env.teardown();
  }
}
