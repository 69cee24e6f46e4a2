// What one alert webhook request may carry. Past these a request is refused whole, naming the limit,
// before anything reaches Temporal: a request Temporal would refuse (a signal over its size limit) must
// be a 4xx the sender sees, never a 503 it retries forever.
import type { AlertBatch } from '../../integrations/alerts/alert.js';

export const ALERT_LIMITS = {
  alertsPerRequest: 1_000,
  groupsPerRequest: 200,
  labels: 64,
  labelChars: 1_024,
  annotationChars: 8_192,
  titleChars: 500,
  fingerprintChars: 256,
  groupKeyChars: 1_024,
} as const;

export interface LimitProblem {
  status: 400 | 413;
  field: string;
  message: string;
}

/** Every field of the batch over its limit (400), or the first count over its limit (413). */
export function limitProblems(batch: AlertBatch): LimitProblem[] {
  const L = ALERT_LIMITS;
  if (batch.alerts.length > L.alertsPerRequest) {
    return [
      {
        status: 413,
        field: 'alerts',
        message: `at most ${L.alertsPerRequest} alerts per request (got ${batch.alerts.length}): split them`,
      },
    ];
  }
  const problems: LimitProblem[] = [];
  const over = (field: string, value: string | undefined, max: number) => {
    if (value !== undefined && value.length > max)
      problems.push({ status: 400, field, message: `longer than ${max} characters (${value.length})` });
  };
  over('groupKey', batch.receivedGroupKey, L.groupKeyChars);
  batch.alerts.forEach((alert, i) => {
    const at = `alerts[${i}]`;
    over(`${at}.title`, alert.title, L.titleChars);
    over(`${at}.fingerprint`, alert.fingerprint, L.fingerprintChars);
    over(`${at}.groupKey`, alert.groupKey, L.groupKeyChars);
    over(`${at}.url`, alert.url, L.labelChars);
    const labels = Object.entries(alert.labels);
    if (labels.length > L.labels)
      problems.push({ status: 400, field: `${at}.labels`, message: `at most ${L.labels} labels (${labels.length})` });
    for (const [name, value] of labels) {
      over(`${at}.labels`, name, L.labelChars);
      over(`${at}.labels.${name.slice(0, 64)}`, value, L.labelChars);
    }
    for (const [name, value] of Object.entries(alert.annotations))
      over(`${at}.annotations.${name.slice(0, 64)}`, value, L.annotationChars);
  });
  return problems.slice(0, 20);
}

/** After routing: how many distinct groups one request may open or feed. */
export function groupsProblem(groups: number): LimitProblem | undefined {
  if (groups <= ALERT_LIMITS.groupsPerRequest) return undefined;
  return {
    status: 413,
    field: 'alerts',
    message: `at most ${ALERT_LIMITS.groupsPerRequest} alert groups per request (got ${groups}): split them`,
  };
}

/** Temporal refuses a payload over 2 MB: one request's alerts for one intake stay well below it. */
export const MAX_SIGNAL_BYTES = 1_500_000;

export function signalProblem(bytes: number): LimitProblem | undefined {
  if (bytes <= MAX_SIGNAL_BYTES) return undefined;
  return {
    status: 413,
    field: '(body)',
    message: `these alerts make ${bytes} bytes for one intake, over ${MAX_SIGNAL_BYTES}: split them`,
  };
}
