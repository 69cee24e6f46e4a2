// Puts refused attempts on their incident's timeline without letting a flood of them grow the
// incident's history or outrun its worker: the first refusal of an (incident, actor, request, target)
// goes at once; repeats within the next minute are counted here and go as one signal carrying their
// count. Past NAMED_PER_MINUTE different ones for one incident in a minute (many identities at once),
// the rest of that minute go as one signal from "others", with the count and how many people.
import type { RefusalInput } from '../workflows/messages.js';

const COALESCE_MS = 60_000;
/** Keys with repeats waiting, at most: past it the oldest are sent early. */
const MAX_WAITING = 10_000;
/**
 * Different refusals sent at once per incident and minute. Each signal costs the incident's worker a
 * few milliseconds (the SDK captures a stack trace for every promise a workflow makes), so the rate
 * the product signals one incident at must stay far below what a worker takes.
 */
export const NAMED_PER_MINUTE = 50;
export const OTHERS_ACTOR = 'others';

interface Waiting {
  id: string;
  refusal: RefusalInput;
  count: number;
  /** For the "others" of an incident: the people counted (up to MAX_WAITING). */
  people?: Set<string>;
}

interface Named {
  since: number;
  count: number;
}

export class RefusalRecorder {
  private readonly recent = new Map<string, number>();
  private readonly waiting = new Map<string, Waiting>();
  /** Per incident, the different refusals sent at once in the current minute. */
  private readonly named = new Map<string, Named>();
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
      if (this.mayName(id, now)) {
        this.recent.set(key, now);
        this.forget(now);
        await this.send(id, refusal).catch(() => undefined);
        return;
      }
      return this.wait(JSON.stringify([id, OTHERS_ACTOR]), id, refusal, true);
    }
    return this.wait(key, id, refusal, false);
  }

  private async wait(key: string, id: string, refusal: RefusalInput, others: boolean): Promise<void> {
    const waiting = this.waiting.get(key) ?? { id, refusal, count: 0, ...(others ? { people: new Set() } : {}) };
    waiting.count++;
    waiting.refusal = refusal;
    if (waiting.people && waiting.people.size < MAX_WAITING) waiting.people.add(refusal.actor);
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
        ([key, { id, refusal, count, people }]) => (
          this.recent.set(key, Date.now()),
          this.send(id, people ? othersOf(refusal, count, people.size) : { ...refusal, count }).catch(() => undefined)
        ),
      ),
    );
    if (this.waiting.size) this.timer = setTimeout(() => void this.flush(), COALESCE_MS).unref();
  }

  /** Whether another different refusal of this incident may go at once in this minute. */
  private mayName(id: string, now: number): boolean {
    let named = this.named.get(id);
    if (!named || now - named.since >= COALESCE_MS) {
      if (this.named.size >= MAX_WAITING) this.named.clear();
      named = { since: now, count: 0 };
      this.named.set(id, named);
    }
    return named.count++ < NAMED_PER_MINUTE;
  }

  private forget(now: number): void {
    if (this.recent.size < 2 * MAX_WAITING) return;
    for (const [key, at] of this.recent) if (now - at >= COALESCE_MS) this.recent.delete(key);
  }
}

/** One signal for the refusals past the named ones: who they were is counted, not listed. */
function othersOf(last: RefusalInput, count: number, people: number): RefusalInput {
  return {
    actor: OTHERS_ACTOR,
    decision: last.decision,
    ...(last.stepId ? { stepId: last.stepId } : {}),
    ...(last.actionId ? { actionId: last.actionId } : {}),
    reason: `${count} more refused requests from ${people}${people >= MAX_WAITING ? ' or more' : ''} people within a minute; the last: ${last.reason}`,
    count,
  };
}
