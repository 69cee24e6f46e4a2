// Obligations met on time: of the obligations classifications started (withdrawn ones aside), how many
// had their first report in by the deadline, how many late, and how many are overdue with none.
import type { ObligationClock } from '../../workflows/types.js';

/** What the KPIs read of an obligation: an ObligationClock is one, and so is the read summary's entry. */
export type KpiObligation = Pick<ObligationClock, 'status' | 'onTime'>;

export interface ObligationKpis {
  /** Started and not withdrawn. */
  total: number;
  metOnTime: number;
  metLate: number;
  /** Past the deadline with nothing submitted. */
  overdue: number;
  /** The clock still runs. */
  open: number;
  withdrawn: number;
  /** metOnTime / (metOnTime + metLate + overdue); null when none is decided yet. */
  onTimeRate: number | null;
}

export function obligationKpis(obligations: readonly KpiObligation[]): ObligationKpis {
  const count = (test: (o: KpiObligation) => boolean) => obligations.filter(test).length;
  const metOnTime = count((o) => o.status === 'met' && o.onTime === true);
  const metLate = count((o) => o.status === 'met' && o.onTime !== true);
  const overdue = count((o) => o.status === 'overdue');
  const open = count((o) => o.status === 'open');
  const withdrawn = count((o) => o.status === 'withdrawn');
  const decided = metOnTime + metLate + overdue;
  return {
    total: obligations.length - withdrawn,
    metOnTime,
    metLate,
    overdue,
    open,
    withdrawn,
    onTimeRate: decided === 0 ? null : metOnTime / decided,
  };
}
