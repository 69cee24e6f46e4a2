// The KPI projection's own thread (started by kpi-thread-host.ts): it connects its own Temporal client,
// lists visibility, holds the incidents of the window and computes and renders their KPIs, so that none
// of that (10,000 incidents' summaries decoded every full list, about 40 ms of computation a refresh,
// and their heap, collected by the GC) runs on the event loop that answers requests.
import { Client, Connection } from '@temporalio/client';
import { parentPort, workerData } from 'node:worker_threads';
import { getStateQuery } from '../../workflows/messages.js';
import { IncidentIndex } from '../incident-index.js';
import { connectOptionsFor } from '../temporal/temporal-connection.js';
import { projectionAnswers } from './kpi-answers.js';
import { KpiProjection } from './kpi-projection.js';
import type { KpiThreadData, KpiThreadRequest, KpiThreadReply } from './kpi-thread-protocol.js';

const data = workerData as KpiThreadData;
const { connectionOptions, namespace } = connectOptionsFor(data.temporal);
function connectIndex(): Promise<IncidentIndex> {
  const connected = Connection.connect(connectionOptions).then((connection) => {
    const client = new Client({ connection, namespace });
    return new IncidentIndex(client, (id) => client.workflow.getHandle(id).query(getStateQuery));
  });
  connected.catch(() => undefined); // the refresh that awaits it reports the failure; unawaited, it would stop the thread
  return connected;
}

// The first refresh waits for the connection; after a failed one, the next refresh connects again.
let index = connectIndex();
const answers = projectionAnswers(
  new KpiProjection({
    ...data.projection,
    list: async (since, changedSince) => {
      const connected = await index.catch((err: unknown) => {
        index = connectIndex();
        throw err;
      });
      return connected.kpiIncidents(since, changedSince);
    },
  }),
);

async function answer(request: KpiThreadRequest): Promise<unknown> {
  if (request.op === 'refresh') return answers.refresh();
  return answers.text(request.window, new Date(request.now), request.format);
}

parentPort!.on('message', (request: KpiThreadRequest) => {
  answer(request).then(
    (value) => parentPort!.postMessage({ id: request.id, ok: true, value } satisfies KpiThreadReply),
    (err: unknown) =>
      parentPort!.postMessage({ id: request.id, ok: false, error: (err as Error).message } satisfies KpiThreadReply),
  );
});
