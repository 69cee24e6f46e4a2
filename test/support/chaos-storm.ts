import { call } from './chaos-api.js';
import { sleep } from './chaos-random.js';

interface Alert {
  group: string;
  id: string;
}

/**
 * An alert storm of one trial: `alerts` firing alerts, each with an id of its own, spread evenly over
 * `stormMs` across `groups` groups, sent by four concurrent senders one alert a request. A 202 means
 * accepted; anything else (503, a connection refused or reset while the product is down) goes back
 * into the queue and is sent again after a pause, as Alertmanager retries a failed notification. An
 * alert whose 202 was lost in a kill is sent again and counted twice by the intake: hence `received`
 * is checked to be at least the accepted count, not equal to it. `url` may be a function, called per
 * request: several instances of the product behind one sender, each alert to whichever it names.
 */
export class AlertStorm {
  sent = 0;
  readonly accepted = new Map<string, number>();
  readonly groups: string[];
  private readonly fresh: Alert[] = [];
  private readonly retry: Alert[] = [];

  constructor(
    private readonly url: string | (() => string),
    trial: number,
    groups: number,
    alerts: number,
  ) {
    this.groups = Array.from({ length: groups }, (_, k) => `chaos-t${trial}-g${k}`);
    for (let i = 0; i < alerts; i++) this.fresh.push({ group: this.groups[i % groups]!, id: `t${trial}-a${i}` });
    for (const group of this.groups) this.accepted.set(group, 0);
  }

  get alerts(): number {
    return this.fresh.length;
  }

  get acceptedTotal(): number {
    return [...this.accepted.values()].reduce((n, c) => n + c, 0);
  }

  /** Resolves once every alert was accepted, or rejects at `deadlineMs` after the start. */
  async run(stormMs: number, deadlineMs: number): Promise<void> {
    const started = Date.now();
    let next = 0;
    const sender = async () => {
      for (;;) {
        if (Date.now() - started > deadlineMs)
          throw new Error(`alerts not all accepted after ${deadlineMs} ms: ${this.acceptedTotal}/${this.alerts}`);
        let alert: Alert | undefined;
        if (next < this.fresh.length) {
          const index = next++;
          alert = this.fresh[index]!;
          await sleep(started + (index * stormMs) / this.fresh.length - Date.now());
        } else alert = this.retry.shift();
        if (!alert) {
          if (this.acceptedTotal === this.alerts) return;
          await sleep(100);
          continue;
        }
        this.sent++;
        if (await this.send(alert)) this.accepted.set(alert.group, this.accepted.get(alert.group)! + 1);
        else {
          this.retry.push(alert);
          await sleep(250);
        }
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
  }

  private async send({ group, id }: Alert): Promise<boolean> {
    const payload = {
      alerts: [
        {
          status: 'firing',
          id,
          groupKey: group,
          labels: { alertname: 'ChaosTest', severity: 'P3' },
          annotations: { summary: `storm of ${group}.` },
        },
      ],
    };
    const url = typeof this.url === 'string' ? this.url : this.url();
    return (await call(url, 'POST', '/webhooks/generic', payload)).status === 202;
  }
}
