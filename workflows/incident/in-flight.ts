// The incident's calls to other systems (activities, child workflow starts, signals) while they are in
// flight: a run continues as new only when there are none, and once it is about to, no new one starts.

export class InFlight {
  private unsettled = 0;
  private stopped = false;

  /**
   * Counts `start()`'s work while it is in flight and returns it as it is: no extra step before its
   * awaiter resumes, so commands keep the order stored histories have. Once stopped, new work never
   * starts (the next run does it).
   */
  track<T>(start: () => Promise<T>): Promise<T> {
    if (this.stopped) return new Promise<T>(() => undefined);
    const work = start();
    this.unsettled++;
    const settle = () => void this.unsettled--;
    work.then(settle, settle);
    return work;
  }

  /** `target` (an activities proxy) with each call tracked. */
  tracked<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (proxy, name) => {
        const call: unknown = Reflect.get(proxy, name);
        if (typeof call !== 'function') return call;
        return (...args: unknown[]) => this.track(() => (call as (...a: unknown[]) => Promise<unknown>)(...args));
      },
    });
  }

  idle = () => this.unsettled === 0;

  stop() {
    this.stopped = true;
  }

  get isStopped() {
    return this.stopped;
  }
}
