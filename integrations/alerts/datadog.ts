import { z } from 'zod';
import { oneLine, validatePayload, type Alert, type AlertBatch } from './alert.js';

/**
 * The Payload to paste into a Datadog webhook (Integrations → Webhooks; leave "Encode as form" off).
 * Datadog has no fixed webhook body: it substitutes each $VARIABLE, and ones that do not apply become "".
 */
export const DATADOG_PAYLOAD_TEMPLATE = JSON.stringify(
  {
    alert_id: '$ALERT_ID',
    cycle_key: '$ALERT_CYCLE_KEY',
    aggregate_key: '$AGGREG_KEY',
    transition: '$ALERT_TRANSITION',
    title: '$EVENT_TITLE',
    status: '$ALERT_STATUS',
    message: '$TEXT_ONLY_MSG',
    priority: '$ALERT_PRIORITY',
    scope: '$ALERT_SCOPE',
    tags: '$TAGS',
    link: '$LINK',
    date: '$DATE',
  },
  null,
  2,
);

// The values Datadog documents for $ALERT_TRANSITION. No Data counts as firing: a monitor notifies on
// missing data only when its owner asked for that, so silence is the problem being reported.
// Anything else is refused rather than guessed at, so a changed template shows up in Datadog's webhook errors.
const FIRING_TRANSITIONS = [
  'Triggered',
  'Re-Triggered',
  'Warn',
  'Re-Warn',
  'No Data',
  'Re-No Data',
  'Renotify',
] as const;
const RESOLVED_TRANSITION = 'Recovered';

/** A webhook body rendered from DATADOG_PAYLOAD_TEMPLATE. */
export const datadogPayloadSchema = z.looseObject({
  alert_id: z.string().min(1),
  cycle_key: z.string(),
  aggregate_key: z.string().optional(),
  transition: z.enum([...FIRING_TRANSITIONS, RESOLVED_TRANSITION]),
  title: z.string(),
  status: z.string().optional(),
  message: z.string().optional(),
  priority: z.string().optional(),
  scope: z.string().optional(),
  tags: z.string().optional(),
  link: z.string().optional(),
  // $DATE is epoch milliseconds, e.g. "1406662672000".
  date: z.string().regex(/^\d{1,15}$/, 'expected epoch milliseconds, as $DATE renders them'),
});

export function parseDatadog(body: unknown, _receivedAt: string): AlertBatch {
  const event = validatePayload(datadogPayloadSchema, body);
  const status = event.transition === RESOLVED_TRANSITION ? 'resolved' : 'firing';
  const at = new Date(Number(event.date)).toISOString();
  // The cycle key links a trigger to its recovery; the aggregation key is the closest thing when it is empty.
  const groupKey = event.cycle_key || event.aggregate_key || undefined;
  const scope = splitTags(event.scope).sort();
  const alert: Alert = {
    source: 'datadog',
    status,
    fingerprint: scope.length ? `${event.alert_id}:${scope.join(',')}` : event.alert_id,
    ...(groupKey ? { groupKey } : {}),
    labels: {
      ...tagsToLabels(splitTags(event.tags)),
      ...tagsToLabels(scope),
      monitor_id: event.alert_id,
      ...(event.priority ? { priority: event.priority } : {}),
    },
    annotations: {
      ...(event.status ? { summary: event.status } : {}),
      ...(event.message ? { description: event.message } : {}),
    },
    title: oneLine(event.title) || `Datadog monitor ${event.alert_id}`,
    // A recovery carries only its own time; when the cycle began is the trigger's startsAt.
    startsAt: at,
    ...(status === 'resolved' ? { endsAt: at } : {}),
    ...(event.link ? { url: event.link } : {}),
  };
  return { source: 'datadog', ...(groupKey ? { receivedGroupKey: groupKey } : {}), alerts: [alert] };
}

/** "monitor, env:prod, role:web" → ["monitor", "env:prod", "role:web"] */
function splitTags(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** "env:prod" → env=prod (values may hold colons; a repeated key keeps every value); a bare tag like "monitor" gets "". */
function tagsToLabels(tags: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const tag of tags) {
    const colon = tag.indexOf(':');
    const [key, value] = colon < 0 ? [tag, ''] : [tag.slice(0, colon), tag.slice(colon + 1)];
    labels[key] = key in labels ? `${labels[key]},${value}` : value;
  }
  return labels;
}
