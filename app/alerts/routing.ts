// Which runbook, severity and group an alert belongs to. Runbook: a `runbook` label, else the runbooks'
// label matchers, else a `category` label, else the fallback (a `runbook` label naming no runbook is
// reported in the routing's warnings). Severity: the runbook's severity rules, else
// a `severity` label, else the runbook's default. Group: the sender's group key, else one made of the
// runbook and the alert's identifying labels.
import { createHash } from 'node:crypto';
import type { Alert } from '../../integrations/alerts/alert.js';
import { matchesAll, selectRunbook, type RunbookLibrary } from '../../runbooks/library.js';
import type { Runbook } from '../../runbooks/schema.js';
import type { AlertRouting } from '../../workflows/messages.js';
import { CATEGORIES, SEVERITIES, type AlertSummary, type Category, type Severity } from '../../workflows/types.js';

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'P1',
  page: 'P1',
  high: 'P2',
  error: 'P2',
  warning: 'P3',
  warn: 'P3',
  info: 'P3',
  low: 'P3',
};
/** The labels that say which problem an alert is, when the sender gives no group key. */
const IDENTIFYING_LABELS = ['alertname', 'service', 'job', 'app', 'namespace'];

export interface RoutedAlert {
  groupKey: string;
  routing: AlertRouting;
  summary: AlertSummary;
}

/** P0–P3 as they are, or the words monitoring uses; undefined when the labels say nothing usable. */
export function severityLabel(labels: Record<string, string>): Severity | undefined {
  const value = (labels.severity ?? labels.priority ?? '').trim();
  const upper = value.toUpperCase();
  if ((SEVERITIES as readonly string[]).includes(upper)) return upper as Severity;
  return SEVERITY_WORDS[value.toLowerCase()];
}

export function routeAlert(
  alert: Alert,
  library: RunbookLibrary,
  { commander, receivedGroupKey }: { commander: string; receivedGroupKey?: string },
): RoutedAlert {
  const label = alert.labels.runbook;
  const named = label && library.runbooks.some((r) => r.runbook.id === label) ? label : undefined;
  const labelledCategory = (CATEGORIES as readonly string[]).includes(alert.labels.category ?? '')
    ? (alert.labels.category as Category)
    : undefined;
  const { runbook } = selectRunbook(library, {
    labels: alert.labels,
    ...(named ? { runbookId: named } : {}),
    ...(labelledCategory ? { category: labelledCategory } : {}),
  });
  const warnings = label && !named ? [unknownRunbookLabel(label, runbook, library)] : [];
  const rule = runbook.severity.rules.find((r) => matchesAll(r.when, alert.labels));
  const identity = IDENTIFYING_LABELS.filter((name) => alert.labels[name]).map(
    (name) => `${name}=${alert.labels[name]}`,
  );
  const groupKey =
    receivedGroupKey ?? alert.groupKey ?? `${runbook.id}:${identity.length ? identity.join(',') : alert.fingerprint}`;
  const category = labelledCategory ?? runbook.match.categories[0] ?? 'other';
  const service = alert.labels.service ?? alert.labels.job ?? alert.labels.app;
  const labelled = rule ? undefined : severityLabel(alert.labels);
  return {
    groupKey,
    routing: {
      runbookId: runbook.id,
      severity: rule?.severity ?? labelled ?? runbook.severity.default,
      // A sender's own label is not the runbook's word: it cannot trigger pre-approved steps.
      severityFrom: labelled ? 'alert' : 'runbook',
      category,
      title: alert.title,
      description: alert.annotations.description ?? alert.annotations.summary ?? '',
      commander,
      declaredBy: alert.source,
      ...(service ? { service } : {}),
      ...(warnings.length ? { warnings } : {}),
    },
    summary: {
      fingerprint: alert.fingerprint,
      status: alert.status,
      title: alert.title,
      startsAt: alert.startsAt,
      ...(alert.endsAt ? { endsAt: alert.endsAt } : {}),
      ...(alert.url ? { url: alert.url } : {}),
    },
  };
}

/** The label was ignored: the IC is told which runbook runs instead, and how to fix the alert rule. */
function unknownRunbookLabel(label: string, used: Runbook, library: RunbookLibrary): string {
  const warning = `Alert label runbook="${label}" names no runbook; routed to "${used.title}" (${used.id}).`;
  if ((CATEGORIES as readonly string[]).includes(label)) {
    const runbook = selectRunbook(library, { category: label as Category }).runbook.id;
    return `${warning} "${label}" is a category; to route by it, label the alert runbook=${runbook}.`;
  }
  return `${warning} Runbooks: ${library.runbooks.map((r) => r.runbook.id).join(', ')}.`;
}

/**
 * Group keys are spread over this many intake workflows. Fixed: a group's shard must not move while its
 * incident is open, so changing it needs the open groups migrated. Few shards let a storm's concurrent
 * requests share signals (the webhook has one signal per shard in flight), which is what makes a storm
 * cheap; several keep any one workflow from carrying every group. Measured with 25 groups and 64
 * senders (scripts/bench-alerts.mjs): 4 shards cost the product and Temporal about 20 % less CPU per
 * alert than 8, and 8 took 1.2× the alerts per second of 16.
 */
export const ALERT_INTAKE_SHARDS = 4;

/** The intake workflow of a group key: the same for the key forever (see ALERT_INTAKE_SHARDS). */
export function alertIntakeWorkflowId(groupKey: string): string {
  const shard = createHash('sha256').update(groupKey).digest().readUInt32BE(0) % ALERT_INTAKE_SHARDS;
  return `alert-intake-${String(shard).padStart(2, '0')}`;
}
