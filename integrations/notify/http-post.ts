// One POST to a webhook (Teams Workflows, Standard Webhooks receivers) and what its answer means. The
// URL may be a credential (a Teams URL carries its `sig`), so no message here names it; redirects are
// not followed, so the body goes only where the operator pointed it.
import { retryAfterMs } from '../http/retry-after.js';
import { ServiceBusy, ServiceRefused } from '../service-errors.js';

/** The endpoint answered 410 Gone: it asks never to be called again. */
export class EndpointGone extends ServiceRefused {
  override name = 'EndpointGone';
}

const TIMEOUT_MS = 15_000;

/** `what` names the endpoint for messages (`Teams (exec-staff)`), never its URL. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  what: string,
): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (e.cause?.code ?? 'no answer');
    throw new Error(`${what}: ${why}`);
  }
  await response.body?.cancel().catch(() => undefined); // receivers' answers are not read: they may echo anything
  const status = response.status;
  if (status >= 200 && status < 300) return status;
  if (status === 410) throw new EndpointGone(`${what}: 410 Gone, endpoint disabled`);
  if (status === 429 || status === 502 || status === 503 || status === 504)
    throw new ServiceBusy(`${what}: ${status}, retrying`, retryAfterMs(response.headers.get('retry-after')) ?? 5_000);
  if (status >= 500) throw new Error(`${what}: ${status}`);
  if (status >= 300 && status < 400) throw new ServiceRefused(`${what}: ${status} redirect, not followed`);
  throw new ServiceRefused(`${what}: refused with ${status}`);
}
