// Delivery of a notification through the directory's channels: plan (who hears it, through what),
// then each channel on its own, with its idempotency key. A channel already done (recorded in the
// delivery ledger) is skipped; a channel refusing is recorded and never holds up or repeats the others.
import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Directory } from '../../runbooks/directory.js';
import type { ApproverGroups } from '../../runbooks/schema.js';
import type { Logger } from '../log.js';
import { ServiceBusy, ServiceRefused } from '../service-errors.js';
import type { EmailChannel } from './email.js';
import { EndpointGone } from './http-post.js';
import type { DeliveryLedger } from './ledger.js';
import type { OutgoingMessage } from './message.js';
import { findPerson, planDeliveries } from './plan.js';
import type {
  DeliveryOutcome,
  DeliveryTarget,
  Notification,
  NotificationPlan,
  Notifier,
  PlannedDelivery,
} from './provider.js';
import { postToSlack } from './slack-post.js';
import { sendSignedWebhook } from './standard-webhook.js';
import { sendToTeams } from './teams.js';

export interface StakeholderNotifierOptions {
  /** The local inbox: recipients without a configured channel, and the embedded default. */
  local: Notifier;
  /** What each channel delivered (DATA_DIR/deliveries.jsonl). Needed once any channel is configured. */
  ledger?: DeliveryLedger;
  /** The directory and groups.yaml as they are now (the runbook library). */
  directory?: () => Promise<{ directory: Directory; groups: ApproverGroups }>;
  email?: EmailChannel;
  slack?: WebClient;
  /** Where `env:NAME` of Teams URLs and webhook secrets is read, at each send. */
  env?: NodeJS.ProcessEnv;
  log: Logger;
}

/** What a channel reports of a message it sent, kept in the ledger. */
type Sent = Partial<{ messageId: string; to: string; channel: string; ts: string }>;

/** At most this many channels of one notification at once (200 stakeholders are 200 e-mails). */
const PARALLEL = 8;

export class StakeholderNotifier implements Notifier {
  constructor(private readonly options: StakeholderNotifierOptions) {}

  /** Who hears it, through what: one delivery per distinct channel, each with its own key. */
  async plan(notification: Notification, key: string): Promise<NotificationPlan> {
    const { directory, groups } = (await this.options.directory?.()) ?? { directory: undefined, groups: {} };
    const deliveries = directory
      ? planDeliveries(notification, key, {
          directory,
          groups,
          configured: { email: Boolean(this.options.email), slack: Boolean(this.options.slack) },
        })
      : [{ key, recipients: notification.audience, target: { kind: 'local' as const }, label: 'local inbox' }];
    return { key, deliveries };
  }

  /**
   * Sends one planned delivery, unless the ledger says it was sent already. Throws ServiceRefused
   * (recorded; retrying will not help), ServiceBusy (retry when it says) or another error (retry).
   */
  async deliver(delivery: PlannedDelivery, notification: Notification): Promise<DeliveryOutcome> {
    const outcome = (status: DeliveryOutcome['status'], detail: string): DeliveryOutcome => ({
      key: delivery.key,
      recipients: delivery.recipients,
      label: delivery.label,
      status,
      detail,
    });
    const message: OutgoingMessage = {
      incidentId: notification.incidentId,
      subject: notification.subject,
      text: notification.text,
      recipients: delivery.recipients,
      key: delivery.key,
    };
    const { ledger, log } = this.options;
    if (delivery.target.kind === 'local') {
      const { delivered } = await this.options.local.notify({
        incidentId: message.incidentId,
        audience: message.recipients,
        subject: message.subject,
        text: message.text,
        idempotencyKey: delivery.key,
      });
      return outcome('delivered', delivered);
    }
    if (!ledger) throw new Error('a delivery ledger is needed for channels other than the local inbox');
    const standing = await ledger.standing(delivery.key);
    if (standing?.type === 'delivered')
      return outcome(standing.unconfirmed ? 'unconfirmed' : 'delivered', 'already delivered');
    if (standing?.type === 'failed') throw new ServiceRefused(`${delivery.label}: ${standing.detail}`);
    const at = () => new Date().toISOString();
    if (standing?.type === 'sending') {
      // At most once: the receiver may have it (an SMTP server cannot be asked), so it is not sent again.
      await ledger.append({ ...standing, type: 'delivered', at: at(), unconfirmed: true });
      const detail = `unconfirmed: its worker stopped during the send begun at ${standing.at}; not sent again`;
      log.warn(`[notify ${delivery.recipients.join(', ')}] ${message.incidentId}: ${detail}`, { via: delivery.label });
      return outcome('unconfirmed', detail);
    }
    const intent = { key: delivery.key, incidentId: message.incidentId, label: delivery.label };
    const sentAs = this.sentAs(delivery.target, delivery.key);
    await ledger.beginSending({ type: 'sending', ...intent, ...sentAs, at: at() });
    let done: Sent;
    try {
      done = await this.send(delivery.target, message, delivery.label);
    } catch (err) {
      const failure = labelled(err, delivery.label);
      log.warn(`[notify ${delivery.recipients.join(', ')}] ${message.incidentId}: not delivered`, {
        via: delivery.label,
        error: failure.message,
      });
      await ledger.append(
        failure instanceof ServiceRefused
          ? { type: 'failed', key: delivery.key, label: delivery.label, at: at(), detail: failure.message }
          : { type: 'attempt-failed', key: delivery.key, label: delivery.label, at: at() },
      );
      throw failure;
    }
    await ledger.append({ type: 'delivered', ...intent, at: at(), ...done });
    log.info(`[notify ${delivery.recipients.join(', ')}] ${message.incidentId}: ${message.subject}`, {
      via: delivery.label,
    });
    return outcome('delivered', 'delivered');
  }

  /**
   * Plans and delivers every channel within one call (the `notify` activity). Channels delivered or
   * refused are recorded, so a retry sends only what is still pending. Throws, after every channel was
   * tried, a retryable error if any channel may still succeed, else a refusal if any channel refused.
   */
  async notify(notification: Notification): Promise<{ delivered: string; deliveries: DeliveryOutcome[] }> {
    if (!notification.idempotencyKey) throw new Error('notify needs the notification idempotency key');
    const { deliveries } = await this.plan(notification, notification.idempotencyKey);
    const results = await inBatches(deliveries, PARALLEL, (d) => this.deliver(d, notification));
    const outcomes: DeliveryOutcome[] = [];
    const pending: { label: string; err: unknown }[] = [];
    results.forEach((result, i) => {
      const { key, recipients, label } = deliveries[i]!;
      if (result.status === 'fulfilled') outcomes.push(result.value);
      else if (result.reason instanceof ServiceRefused)
        outcomes.push({ key, recipients, label, status: 'failed', detail: result.reason.message });
      else pending.push({ label, err: result.reason });
    });
    const delivered = outcomes.filter((o) => o.status !== 'failed').map((o) => o.label);
    const failed = outcomes.filter((o) => o.status === 'failed').map((o) => o.detail);
    const summary = [
      delivered.length ? `delivered: ${delivered.join(', ')}` : '',
      failed.length ? `failed: ${failed.join('; ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    if (pending.length) {
      const message = `not yet delivered: ${pending.map((p) => (p.err as Error).message).join('; ')}${summary ? `; ${summary}` : ''}`;
      const waits = pending.map((p) => (p.err instanceof ServiceBusy ? p.err.retryAfterMs : 0));
      if (waits.every((w) => w > 0)) throw new ServiceBusy(message, Math.max(...waits));
      throw new Error(message);
    }
    if (failed.length) throw new ServiceRefused(summary);
    return { delivered: summary || 'nobody to notify', deliveries: outcomes };
  }

  /** The IANA time zone of a person (`user:dave`, `ic:alice`, `dave`), when the directory has one. */
  async timeZoneOf(recipient: string): Promise<string | undefined> {
    const loaded = await this.options.directory?.();
    if (!loaded) return undefined;
    return findPerson(loaded.directory, recipient.replace(/^(?:ic|user):/, ''))?.timezone;
  }

  private async send(
    target: Exclude<DeliveryTarget, { kind: 'local' }>,
    message: OutgoingMessage,
    label: string,
  ): Promise<Sent> {
    switch (target.kind) {
      case 'email': {
        const email = this.options.email;
        if (!email) throw new ServiceRefused('e-mail is not configured (SMTP_URL)');
        const to = target.to.toLowerCase();
        const root = /^INC-[0-9A-Z]+$/.test(message.incidentId)
          ? await this.options.ledger!.threadRoot(message.incidentId, to)
          : undefined;
        const { messageId } = await email.send(target.to, message, root);
        return { messageId, to };
      }
      case 'slack': {
        if (!this.options.slack) throw new ServiceRefused('Slack is not configured (SLACK_BOT_TOKEN)');
        return postToSlack(this.options.slack, target.channel, message);
      }
      case 'teams': {
        const url = this.secret(target.urlFrom, label);
        await this.unlessDisabled(url, label, () => sendToTeams(url, message, label));
        return {};
      }
      case 'webhook': {
        const url = target.url ?? this.secret(target.urlFrom!, label);
        const secret = this.secret(target.secretFrom, label);
        await this.unlessDisabled(url, label, () => sendSignedWebhook(url, secret, message, label));
        return {};
      }
    }
  }

  /** What identifies an e-mail in its thread, known before it is sent. */
  private sentAs(target: DeliveryTarget, key: string): { messageId?: string; to?: string } {
    if (target.kind !== 'email' || !this.options.email) return {};
    return { messageId: this.options.email.messageIdFor(key), to: target.to.toLowerCase() };
  }

  private secret(name: string, label: string): string {
    const value = (this.options.env ?? process.env)[name];
    if (!value) throw new ServiceRefused(`${label}: environment variable ${name} is not set`);
    return value;
  }

  /** An endpoint that answered 410 stays disabled (recorded by a hash of its URL, which may be a credential). */
  private async unlessDisabled(url: string, label: string, send: () => Promise<void>): Promise<void> {
    const ledger = this.options.ledger!;
    const endpoint = createHash('sha256').update(url).digest('hex').slice(0, 24);
    const since = await ledger.disabledSince(endpoint);
    if (since) throw new ServiceRefused(`${label}: disabled since ${since} (it answered 410 Gone)`);
    try {
      await send();
    } catch (err) {
      if (err instanceof EndpointGone)
        await ledger.append({ type: 'disabled', endpoint, label, at: new Date().toISOString() });
      throw err;
    }
  }
}

/** The error with the channel's label in front (Teams and webhook errors name it already), its class kept. */
function labelled(err: unknown, label: string): Error {
  const message = (err as Error).message ?? String(err);
  if (message.startsWith(label)) return err as Error;
  const text = `${label}: ${message}`;
  if (err instanceof ServiceBusy) return new ServiceBusy(text, err.retryAfterMs);
  if (err instanceof EndpointGone) return new EndpointGone(text);
  if (err instanceof ServiceRefused) return new ServiceRefused(text);
  return new Error(text);
}

async function inBatches<T, R>(
  items: T[],
  size: number,
  work: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}
