import { ALERT_SOURCES, AlertPayloadInvalid, type Alert, type AlertBatch, type AlertSource } from './alert.js';
import { parseAlertmanager } from './alertmanager.js';
import { parseDatadog } from './datadog.js';
import { parseGeneric } from './generic.js';
import { parseGrafana } from './grafana.js';

export { ALERT_SOURCES, AlertPayloadInvalid, type Alert, type AlertBatch, type AlertSource };

const parsers: Record<AlertSource, (body: unknown, receivedAt: string) => AlertBatch> = {
  alertmanager: parseAlertmanager,
  grafana: parseGrafana,
  datadog: parseDatadog,
  generic: parseGeneric,
};

/** Validates a webhook body from `source` and normalizes its alerts; `receivedAt` (ISO) fills in missing start times. */
export function parseAlerts(source: AlertSource, body: unknown, receivedAt: string): AlertBatch {
  return parsers[source](body, receivedAt);
}

export function parseJsonBody(raw: Buffer | string): unknown {
  try {
    return JSON.parse(raw.toString());
  } catch (err) {
    throw new AlertPayloadInvalid([`body is not JSON: ${(err as Error).message}`]);
  }
}
