// Puts refused attempts on their incident's timeline without letting a flood of them grow the
// incident's history: the first refusal of an (incident, actor, request, target) goes at once; repeats
// within the next minute are counted here and go as one signal carrying their count.
import type { RefusalInput } from '../workflows/messages.js';

const COALESCE_MS = 60_000;
/** Keys with repeats waiting, at most: past it the oldest are sent early. */
const MAX_WAITING = 10_000;

interface Waiting {
  id: string;
  refusal: RefusalInput;
  count: number;
}

export class RefusalRecorder {
  private readonly recent = new Map<string, number>();
  private readonly waiting = new Map<string, Waiting>();
  private timer: NodeJS.Timeout | undefined;

  /** `send` signals the incident; failures are the caller's refusal anyway and are dropped. */
  constructor(private readonly send: (id: string, refusal: RefusalInput) => Promise<void>) {}

  async record(id: string, refusal: RefusalInput): Promise<void> {
    const key = JSON.stringify([
      id,
      refusal.actor,
      refusal.via ?? '',
      refusal.decision,
      refusal.stepId ?? refusal.actionId ?? '',
    ]);
    const now = Date.now();
    const last = this.recent.get(key);
    if (last === undefined || now - last >= COALESCE_MS) {
      this.recent.set(key, now);
      this.forget(now);
      await this.send(id, refusal).catch(() => undefined);
      return;
    }
    const waiting = this.waiting.get(key) ?? { id, refusal, count: 0 };
    waiting.count++;
    waiting.refusal = refusal;
    this.waiting.set(key, waiting);
    if (this.waiting.size > MAX_WAITING)
      await this.flush([...this.waiting.keys()].slice(0, this.waiting.size - MAX_WAITING));
    this.timer ??= setTimeout(() => void this.flush([...this.waiting.keys()]), COALESCE_MS).unref();
  }

  /** Sends what waits (at shutdown too). */
  async flush(keys: string[] = [...this.waiting.keys()]): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = keys.map((key) => [key, this.waiting.get(key)!] as const).filter(([, w]) => w);
    for (const [key] of batch) this.waiting.delete(key);
    await Promise.all(
      batch.map(
        ([key, { id, refusal, count }]) => (
          this.recent.set(key, Date.now()),
          this.send(id, { ...refusal, count }).catch(() => undefined)
        ),
      ),
    );
    if (this.waiting.size) this.timer = setTimeout(() => void this.flush(), COALESCE_MS).unref();
  }

  private forget(now: number): void {
    if (this.recent.size < 2 * MAX_WAITING) return;
    for (const [key, at] of this.recent) if (now - at >= COALESCE_MS) this.recent.delete(key);
  }
}
