import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { oneAtATime, readJsonLines } from '../local-store/json-file.js';

export type LedgerEntry =
  | {
      type: 'delivered';
      key: string;
      incidentId: string;
      label: string;
      at: string;
      /** E-mail: its Message-ID and recipient, so later messages of the incident thread under the first. */
      messageId?: string;
      to?: string;
      /** Slack: where and as which message it was posted. */
      channel?: string;
      ts?: string;
    }
  | { type: 'failed'; key: string; label: string; at: string; detail: string }
  /** An endpoint that answered 410 Gone: nothing more is sent to it until its URL changes. */
  | { type: 'disabled'; endpoint: string; label: string; at: string };

/**
 * What each channel delivered, in a JSON Lines file beside the local inbox (`DATA_DIR/deliveries.jsonl`):
 * a retried activity skips the channels already done, and Slack (which has no idempotency key) is not
 * posted twice. Written after each send: a worker killed between Slack or a webhook receiving a message
 * and this line being written sends it again (the webhook with the same webhook-id, the e-mail with the
 * same Message-ID, so receivers can drop it).
 */
export class DeliveryLedger {
  private readonly exclusive = oneAtATime();

  constructor(readonly path: string) {}

  entries(): Promise<LedgerEntry[]> {
    return readJsonLines<LedgerEntry>(this.path);
  }

  async settled(key: string): Promise<LedgerEntry | undefined> {
    return (await this.entries()).find((e) => e.type !== 'disabled' && e.key === key);
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
}
