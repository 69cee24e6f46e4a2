import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';

/** Closed incidents feed the KPIs (30-day windows, repeats 30 days further back) and the postmortem record. */
export const EMBEDDED_RETENTION_DAYS = 400;

/**
 * The dev server keeps closed workflows for 24 h; the embedded mode keeps them long enough for the KPI
 * report. A cluster's retention (TEMPORAL_ADDRESS) is its operators' decision, so this is never applied there.
 */
export async function keepClosedIncidents(
  connection: Connection,
  namespace: string,
  days = EMBEDDED_RETENTION_DAYS,
): Promise<void> {
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msToTs(`${days}d`) },
  });
}
