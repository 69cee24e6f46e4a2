// What a signature proves is that the sender made the request once, not that it is the first time we
// see it: each signed source keeps the signatures (and delivery ids) it has accepted until they could
// no longer pass anyway, and refuses them the second time. The memory is this process's: instances
// behind a load balancer, or Lambda containers, each keep their own.

/** Refused the second time: a replay of a delivery already taken (documented as 409 on every signed route). */
export const REPLAY_STATUS = 409;
/** Per source. An entry is a key and a number; a full guard forgets its oldest entry first. */
export const REPLAY_GUARD_CAPACITY = 10_000;

export class ReplayGuard {
  /** key → when it may be forgotten (ms). A Map iterates in insertion order: the oldest first. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly capacity = REPLAY_GUARD_CAPACITY,
  ) {}

  /**
   * Records every key until `forgetAtMs`, or returns false (recording nothing) when one of them is
   * still remembered. Call it once the signature is verified, and `release` the keys if the delivery
   * was not taken after all (a 5xx), so that the sender's retry of it is.
   */
  claim(keys: readonly string[], forgetAtMs: number): boolean {
    const now = this.now();
    this.forgetExpired(now);
    if (keys.some((key) => (this.seen.get(key) ?? 0) > now)) return false;
    for (const key of keys) {
      this.seen.delete(key); // an expired entry left behind: re-inserted at the young end
      while (this.seen.size >= this.capacity) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(key, forgetAtMs);
    }
    return true;
  }

  release(keys: readonly string[]): void {
    for (const key of keys) this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }

  /** From the oldest while expired: entries are near enough in expiry order that this keeps the map small. */
  private forgetExpired(now: number): void {
    for (const [key, forgetAt] of this.seen) {
      if (forgetAt > now) return;
      this.seen.delete(key);
    }
  }
}
