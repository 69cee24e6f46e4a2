// Status updates on time, per severity: each window of the runbook's cadence (from the declaration or the
// last update to the next due time) ends met by an update or missed (`update.overdue`). Pure.
import { SEVERITIES, type Severity, type UpdateCadence } from '../../workflows/types.js';

export interface StatusUpdateKpis {
  /** Windows that ended: onTime + overdue. */
  due: number;
  /** Updates posted by their due time. */
  onTime: number;
  /** Windows missed: a reminder went to the IC. */
  overdue: number;
  /** onTime / due; null when no window ended. */
  onTimeRate: number | null;
}

/** Over the incidents of each severity (their current one) that follow the cadence. */
export function statusUpdateKpis(
  incidents: readonly { severity: Severity; updateCadence?: Pick<UpdateCadence, 'onTime' | 'overdue'> }[],
): Record<Severity, StatusUpdateKpis> {
  const kpis = Object.fromEntries(
    SEVERITIES.map((severity) => [severity, { due: 0, onTime: 0, overdue: 0, onTimeRate: null }]),
  ) as Record<Severity, StatusUpdateKpis>;
  for (const { severity, updateCadence } of incidents) {
    if (!updateCadence) continue;
    const kpi = kpis[severity];
    kpi.onTime += updateCadence.onTime;
    kpi.overdue += updateCadence.overdue;
  }
  for (const kpi of Object.values(kpis)) {
    kpi.due = kpi.onTime + kpi.overdue;
    kpi.onTimeRate = kpi.due ? kpi.onTime / kpi.due : null;
  }
  return kpis;
}
