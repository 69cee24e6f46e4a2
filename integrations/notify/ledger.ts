import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { oneAtATime } from '../local-store/json-file.js';
import { JsonLinesLog } from '../local-store/json-lines-log.js';

/** E-mail: its Message-ID and recipient, so later messages of the incident thread under the first. */
interface SentAs {
  messageId?: string;
  to?: string;
}

export type LedgerEntry =
  /** A send is about to begin: on disk (fsynced) before the first byte goes out. */
  | ({ type: 'sending'; key: string; incidentId: string; label: string; at: string } & SentAs)
  /** The send failed with an error its worker saw (a 451, a refused connection): the next attempt may send. */
  | { type: 'attempt-failed'; key: string; label: string; at: string }
  | ({
      type: 'delivered';
      key: string;
      incidentId: string;
      label: string;
      at: string;
      /** A send began and its worker stopped before learning how it ended: it may have arrived, and is not sent again. */
      unconfirmed?: true;
      /** Slack: where and as which message it was posted. */
      channel?: string;
      ts?: string;
    } & SentAs)
  | { type: 'failed'; key: string; label: string; at: string; detail: string }
  /** An endpoint that answered 410 Gone: nothing more is sent to it until its URL changes. */
  | { type: 'disabled'; endpoint: string; label: string; at: string };

type Settled = Extract<LedgerEntry, { type: 'delivered' | 'failed' }>;
type Sending = Extract<LedgerEntry, { type: 'sending' }>;

/**
 * What each channel delivered, in a JSON Lines file beside the local inbox (`DATA_DIR/deliveries.jsonl`):
 * a retried activity skips the channels already done. Each send is at most once: its intent is written
 * and fsynced before it begins, so when a worker dies between the receiver taking a message and the
 * outcome being written, the retry finds the intent alone and records the delivery as unconfirmed
 * instead of sending a second copy (an SMTP server, Slack or a Teams webhook could not tell us whether
 * the first one arrived).
 */
export class DeliveryLedger {
  private readonly exclusive = oneAtATime();
  private readonly log: JsonLinesLog<LedgerEntry>;

  constructor(readonly path: string) {
    this.log = new JsonLinesLog(path, (entry) => entry);
  }

  /** Every entry, oldest first, read as the file grows. Do not modify it. */
  entries(): Promise<readonly LedgerEntry[]> {
    return this.log.read();
  }

  /**
   * Where a delivery stands: settled (delivered or failed), in doubt (the intent of a send that
   * nothing followed), or not begun (undefined, also after an attempt that failed visibly).
   */
  async standing(key: string): Promise<Settled | Sending | undefined> {
    let last: Sending | undefined;
    for (const entry of await this.entries()) {
      if (entry.type === 'disabled' || entry.key !== key) continue;
      if (entry.type === 'delivered' || entry.type === 'failed') return entry;
      last = entry.type === 'sending' ? entry : undefined;
    }
    return last;
  }

  /** The Message-ID of the incident's first e-mail to this address: later ones reply to it. */
  async threadRoot(incidentId: string, to: string): Promise<string | undefined> {
    const address = to.toLowerCase();
    const first = (await this.entries()).find(
      (e) => e.type === 'delivered' && e.incidentId === incidentId && e.to === address && e.messageId,
    );
    return first?.type === 'delivered' ? first.messageId : undefined;
  }

  async disabledSince(endpoint: string): Promise<string | undefined> {
    const entry = (await this.entries()).find((e) => e.type === 'disabled' && e.endpoint === endpoint);
    return entry?.at;
  }

  append(entry: LedgerEntry): Promise<void> {
    return this.exclusive(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await appendFile(this.path, JSON.stringify(entry) + '\n');
    });
  }

  /** Appends the intent of a send and returns once it is on disk (a power cut after the send keeps it too). */
  beginSending(entry: Sending): Promise<void> {
    return this.exclusive(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const file = await open(this.path, 'a');
      try {
        await file.appendFile(JSON.stringify(entry) + '\n');
        await file.datasync();
      } finally {
        await file.close();
      }
    });
  }
}
