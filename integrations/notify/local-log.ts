import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { oneAtATime, readJsonLines } from '../local-store/json-file.js';
import { JsonLinesLog } from '../local-store/json-lines-log.js';
import type { Notification, Notifier } from './provider.js';

export interface LoggedNotification extends Notification {
  at: string;
}

/**
 * The embedded default: each notification goes to the server log and is appended to a JSON Lines
 * inbox (`DATA_DIR/notifications.jsonl`); one whose idempotency key is already there is not sent again.
 */
export class LocalLogNotifier implements Notifier {
  private readonly exclusive = oneAtATime();
  /** The idempotency keys already in the inbox, read as the file grows (not the whole file per send). */
  private readonly keys: JsonLinesLog<LoggedNotification, string | undefined>;
  private indexed: { from: readonly (string | undefined)[]; count: number; set: Set<string | undefined> } = {
    from: [],
    count: 0,
    set: new Set(),
  };

  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {
    this.keys = new JsonLinesLog(path, (notification) => notification.idempotencyKey);
  }

  notify(notification: Notification): Promise<{ delivered: string }> {
    return this.exclusive(() => this.deliver(notification));
  }

  sent(): Promise<LoggedNotification[]> {
    return readJsonLines<LoggedNotification>(this.path);
  }

  /** The keys in the inbox as a set, extended by the lines read since the last call (a whole scan per send was O(inbox)). */
  private async delivered(): Promise<ReadonlySet<string | undefined>> {
    const keys = await this.keys.read();
    // A new array: the log started again from an inbox deleted or replaced.
    if (keys !== this.indexed.from) this.indexed = { from: keys, count: 0, set: new Set() };
    for (; this.indexed.count < keys.length; this.indexed.count++) this.indexed.set.add(keys[this.indexed.count]);
    return this.indexed.set;
  }

  private async deliver(notification: Notification): Promise<{ delivered: string }> {
    const key = notification.idempotencyKey;
    if (key && (await this.delivered()).has(key)) return { delivered: `${this.path} (already delivered)` };
    this.log.info(`[notify ${notification.audience.join(', ')}] ${notification.incidentId}: ${notification.subject}`, {
      text: notification.text,
    });
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, JSON.stringify({ at: new Date().toISOString(), ...notification }) + '\n');
    return { delivered: this.path };
  }
}
