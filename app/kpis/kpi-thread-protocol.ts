// The messages between the KPI thread (kpi-thread.ts) and its host (kpi-thread-host.ts).
import type { TemporalTarget } from '../temporal/temporal-connection.js';
import type { KpiFormat } from './kpi-answers.js';
import type { KpiProjectionOptions } from './kpi-projection.js';
import type { KpiWindow } from './kpi-window.js';

export interface KpiThreadData {
  /** The embedded server, or undefined for the cluster that the environment describes. */
  temporal: TemporalTarget | undefined;
  projection: Omit<KpiProjectionOptions, 'list' | 'clock'>;
}

export type KpiThreadRequest =
  { id: number; op: 'refresh' } | { id: number; op: 'text'; window: KpiWindow; now: number; format: KpiFormat };

export type KpiThreadReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
