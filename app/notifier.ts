// Where notifications go, decided by the configuration and the directory: the directory's channels
// through SMTP, Slack, Teams and webhooks, each falling back to the local inbox when not configured.
import { EmailChannel } from '../integrations/notify/email.js';
import { DeliveryLedger } from '../integrations/notify/ledger.js';
import { LocalLogNotifier } from '../integrations/notify/local-log.js';
import { StakeholderNotifier } from '../integrations/notify/stakeholder-notifier.js';
import { slackWebClient } from '../integrations/slack/web-client.js';
import type { Logger } from '../integrations/log.js';
import type { Directory } from '../runbooks/directory.js';
import type { RunbookSource } from '../runbooks/source.js';
import type { ServerConfig } from './config.js';

export function selectNotifier(config: ServerConfig, log: Logger, runbooks: RunbookSource): StakeholderNotifier {
  return new StakeholderNotifier({
    local: new LocalLogNotifier(config.notificationsFile, log),
    ledger: new DeliveryLedger(config.deliveriesFile),
    directory: async () => {
      const { directory, groups } = await runbooks.current(1_000);
      return { directory, groups };
    },
    ...(config.SMTP_URL && config.SMTP_FROM
      ? { email: new EmailChannel({ url: config.SMTP_URL, from: config.SMTP_FROM }) }
      : {}),
    ...(config.SLACK_BOT_TOKEN
      ? {
          slack: slackWebClient(
            { botToken: config.SLACK_BOT_TOKEN, ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}) },
            'durable',
          ),
        }
      : {}),
    log,
  });
}

/** Start-up warnings: channels the directory names that this server cannot reach, so they go to the local inbox. */
export function unreachableChannels(config: ServerConfig, directory: Directory): string[] {
  const warnings: string[] = [];
  for (const [name, group] of Object.entries(directory.groups)) {
    for (const channel of group.channels) {
      if (channel.kind === 'email' && !config.SMTP_URL)
        warnings.push(`group ${name}: e-mail channel, but SMTP_URL is not set; its e-mail goes to the local inbox`);
      if (channel.kind === 'slack' && !config.SLACK_BOT_TOKEN)
        warnings.push(`group ${name}: Slack channel, but SLACK_BOT_TOKEN is not set; it goes to the local inbox`);
    }
  }
  return warnings;
}

/** For the start-up banner. */
export function describeNotifications(config: ServerConfig, directory: Directory): string {
  const kinds = new Set(Object.values(directory.groups).flatMap((g) => g.channels.map((c) => c.kind)));
  const via = [
    config.SMTP_URL ? 'e-mail (SMTP)' : '',
    config.SLACK_BOT_TOKEN ? 'Slack' : '',
    kinds.has('teams') ? 'Teams' : '',
    kinds.has('webhook') ? 'webhooks' : '',
  ].filter(Boolean);
  return `${via.length ? `${via.join(', ')}; the rest to ` : ''}${config.notificationsFile}`;
}
