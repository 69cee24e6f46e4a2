/** A service refused the request as it is (bad credentials, unknown resource, invalid input): retrying will not help. */
export class ServiceRefused extends Error {
  override name = 'ServiceRefused';
}

/** A service asked us to slow down: retry no sooner than `retryAfterMs` from now. */
export class ServiceBusy extends Error {
  override name = 'ServiceBusy';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
