// How fast one person may send requests to one incident. Every request is an Update, and an incident's
// Updates are handled one workflow task after another, refused ones too: without a bound, one identity
// sending refused approvals in a loop would queue the IC's own approval behind thousands of them.
// A token bucket per (incident, person): a burst of BURST, then RATE_PER_SECOND.

export const BURST = 20;
export const RATE_PER_SECOND = 5;
/** Buckets kept at most (see forgetFull). */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RequestRate {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Takes one request of `actor` to `incidentId`: undefined when it may go, else the seconds to wait. */
  take(incidentId: string, actor: string): number | undefined {
    const now = this.clock();
    const key = JSON.stringify([incidentId, actor]);
    const bucket = this.refilled(this.buckets.get(key), now);
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return Math.ceil((1 - bucket.tokens) / RATE_PER_SECOND);
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_BUCKETS) this.forgetFull(now);
    return undefined;
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (!bucket) return { tokens: BURST, at: now };
    const tokens = Math.min(BURST, bucket.tokens + ((now - bucket.at) / 1000) * RATE_PER_SECOND);
    return { tokens, at: now };
  }

  /**
   * Forgets the full buckets; if that is not enough (thousands of people at their limit at once), the
   * oldest down to half the bound, who then start again with a full burst. Either way the next sweep
   * is MAX_BUCKETS / 2 requests away.
   */
  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now).tokens >= BURST) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= MAX_BUCKETS / 2) break;
      this.buckets.delete(key);
    }
  }
}
