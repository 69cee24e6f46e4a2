// What the alert intake and the product say about one alert group of a storm (test/support/chaos-storm.ts).
import { Client, Connection } from '@temporalio/client';
import { alertIntakeWorkflowId } from '../../app/alerts/routing.js';
import { alertGroupQuery } from '../../workflows/messages.js';
import { incident, incidentTitles } from './chaos-api.js';

export interface GroupReading {
  intakeReceived: number;
  incidentReceived: number;
  incidents: number;
}

export async function readGroup(
  url: string,
  temporal: { address: string; namespace?: string },
  group: string,
): Promise<GroupReading> {
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const tally = await new Client({ connection, namespace: temporal.namespace ?? 'default' }).workflow
      .getHandle(alertIntakeWorkflowId(group))
      .query(alertGroupQuery, group)
      .catch(() => undefined);
    const state = tally?.incidentId ? await incident(url, tally.incidentId) : undefined;
    const titled = (await incidentTitles(url)).filter((i) => i.title.includes(`storm of ${group}.`));
    return {
      intakeReceived: tally?.received ?? 0,
      incidentReceived: state?.alerts?.received ?? 0,
      incidents: titled.length,
    };
  } finally {
    await connection.close();
  }
}
