import type { ChatProvider } from '../../integrations/chat/provider.js';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { installTemporalRuntime } from '../../app/temporal/runtime.js';
import { LocalFileModelRegistry } from '../../integrations/model-registry/local-file.js';
import { LocalFileTicketProvider } from '../../integrations/ticketing/local-file.js';
import { LocalFileFlagProvider } from '../../integrations/flags/local-file.js';
import type { FlagProvider } from '../../integrations/flags/provider.js';
import { LocalEvidenceStore } from '../../integrations/evidence/store.js';
import { temporalCliPath } from '../../app/temporal/temporal-binaries.js';
import { connectTemporal, type TemporalConnections } from '../../app/temporal/temporal-connection.js';
import { startDevServer, type DevServer } from '../../app/temporal/temporal-dev-server.js';
import { createIncidentWorker } from '../../app/worker.js';
import { IncidentService } from '../../app/incident-service.js';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalLogNotifier } from '../../integrations/notify/local-log.js';
import { ConsolePager } from '../../integrations/paging/console.js';
import { RunbookSource } from '../../runbooks/source.js';
import { createLogger } from '../../integrations/log.js';
import { freePort } from './ports.js';
import { repoRoot, tempDir } from './paths.js';

installTemporalRuntime('WARN');

export interface TemporalHarness {
  client: Client;
  temporal: TemporalConnections;
  worker: Worker;
  taskQueue: string;
  flags: LocalFileFlagProvider;
  models: LocalFileModelRegistry;
  tickets: LocalFileTicketProvider;
  notifier: LocalLogNotifier;
  runbooks: RunbookSource;
  dataDir: string;
  /** The service every entry point uses, on this harness's task queue, runbooks and tickets. */
  service(options?: { continueAfterEvents?: number }): IncidentService;
  /** Shuts the worker down, runs `whileAway` with no worker polling, then starts a new one like it. */
  workerAway(whileAway: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Temporal dev server (the registry-installed binary, SQLite in a temp dir, our search attributes)
 * and a worker on the shared prebuilt bundle with the real activities against a local flag file.
 */
export async function startTemporalHarness(
  options: {
    chat?: ChatProvider;
    dynamicConfig?: Record<string, number | string | boolean>;
    cacheSize?: number;
    /** The worker's flags, instead of the local file (LaunchDarkly against its fake). */
    flags?: FlagProvider;
  } = {},
): Promise<TemporalHarness> {
  const dataDir = await tempDir('incident-test');
  // A copy of the library, so that tests may edit runbooks.
  await cp(join(repoRoot, 'runbooks'), join(dataDir, 'runbooks'), {
    recursive: true,
    filter: (src) => !src.endsWith('.ts'),
  });
  const runbooks = new RunbookSource(join(dataDir, 'runbooks'));
  await runbooks.requireValid();
  const server: DevServer = await startDevServer({
    cliPath: temporalCliPath(),
    dataDir,
    host: '127.0.0.1',
    port: await freePort(),
    uiPort: 0,
    ui: false,
    namespace: 'default',
    ...(options.dynamicConfig ? { dynamicConfig: options.dynamicConfig } : {}),
  });
  const temporal: TemporalConnections = await connectTemporal({ address: server.address, namespace: 'default' });
  const flags = new LocalFileFlagProvider(`${dataDir}/flags.json`);
  await flags.ensureExists();
  const tickets = new LocalFileTicketProvider(`${dataDir}/tickets.json`);
  const models = new LocalFileModelRegistry(`${dataDir}/models.json`);
  const notifier = new LocalLogNotifier(`${dataDir}/notifications.jsonl`, createLogger('error'));
  const taskQueue = 'incidents-test';
  const createWorker = () =>
    createIncidentWorker({
      connection: temporal.workerConnection,
      namespace: 'default',
      taskQueue,
      dependencies: {
        flags: options.flags ?? flags,
        models,
        notifier,
        pager: new ConsolePager(createLogger('error')),
        runbooks,
        tickets,
        evidence: new LocalEvidenceStore(dataDir),
        ...(options.chat ? { chat: options.chat } : {}),
      },
      ...(options.cacheSize ? { cacheSize: options.cacheSize } : {}),
    });
  let worker: Worker = await createWorker();
  let running = worker.run();
  const shutdown = async () => {
    worker.shutdown();
    await running;
  };
  return {
    client: temporal.client,
    temporal,
    get worker() {
      return worker;
    },
    taskQueue,
    flags,
    models,
    tickets,
    notifier,
    runbooks,
    dataDir,
    service: (serviceOptions = {}) =>
      new IncidentService(temporal.client, { taskQueue, runbooks, tickets, ...serviceOptions }),
    async workerAway(whileAway) {
      await shutdown();
      await whileAway();
      worker = await createWorker();
      running = worker.run();
    },
    async stop() {
      await shutdown();
      await temporal.close();
      await server.stop();
    },
  };
}
