// Who hears a notification, and through what: each audience entry (a stakeholder group, a person)
// resolved through the directory to channels, one delivery per distinct channel. Pure: the same
// notification, key and directory give the same plan.
import { createHash } from 'node:crypto';
import type { Directory, Person } from '../../runbooks/directory.js';
import type { ApproverGroups } from '../../runbooks/schema.js';
import type { DeliveryTarget, Notification, PlannedDelivery } from './provider.js';

export interface PlanContext {
  directory: Directory;
  /** groups.yaml: every group's members (the one list of who belongs to a group). */
  groups: ApproverGroups;
  /** Which transports this worker has: SMTP_URL for e-mail, SLACK_BOT_TOKEN for Slack. */
  configured: { email: boolean; slack: boolean };
}

const PERSON_PREFIX = /^(?:ic|user):/;

export function planDeliveries(notification: Notification, key: string, context: PlanContext): PlannedDelivery[] {
  const byTarget = new Map<string, PlannedDelivery>();
  const add = (recipient: string, target: DeliveryTarget, label: string) => {
    const id = targetId(target);
    const known = byTarget.get(id);
    if (known) {
      if (!known.recipients.includes(recipient)) known.recipients.push(recipient);
      return;
    }
    // The local inbox keeps the notification's own key: it is the record of the message itself.
    const deliveryKey = target.kind === 'local' ? key : `${key}/${target.kind}-${shortHash(id)}`;
    byTarget.set(id, { key: deliveryKey, recipients: [recipient], target, label });
  };
  for (const recipient of notification.audience) {
    for (const { target, label } of resolve(recipient, context)) add(recipient, target, label);
  }
  return [...byTarget.values()];
}

interface Resolved {
  target: DeliveryTarget;
  label: string;
}

const LOCAL: Resolved = { target: { kind: 'local' }, label: 'local inbox' };

function resolve(recipient: string, context: PlanContext): Resolved[] {
  const { directory, groups } = context;
  const name = recipient.replace(/^group:/, '');
  if (PERSON_PREFIX.test(recipient)) return [personal(recipient.replace(PERSON_PREFIX, ''), context)];
  const channels = directory.groups[name]?.channels;
  const members = groups[name];
  if (channels) return channels.flatMap((channel, i) => groupChannel(name, i, channel, members ?? [], context));
  if (members) return members.map((member) => personal(member, context));
  if (!recipient.startsWith('group:') && findPerson(directory, name)) return [personal(name, context)];
  return [LOCAL];
}

function groupChannel(
  group: string,
  index: number,
  channel: Directory['groups'][string]['channels'][number],
  members: string[],
  context: PlanContext,
): Resolved[] {
  switch (channel.kind) {
    case 'email':
      if (!context.configured.email) return [LOCAL];
      if (channel.to)
        return channel.to.map((to, i) => ({
          target: { kind: 'email', to },
          label: `e-mail to ${group} list${channel.to!.length > 1 ? ` ${i + 1}` : ''}`,
        }));
      return members.map((member) => {
        const person = findPerson(context.directory, member);
        return person?.email
          ? { target: { kind: 'email', to: person.email }, label: `e-mail to ${person.id}` }
          : personal(member, context);
      });
    case 'slack':
      if (!context.configured.slack) return [LOCAL];
      if (channel.channel)
        return [{ target: { kind: 'slack', channel: channel.channel }, label: `Slack ${channel.channel}` }];
      return members.map((member) => {
        const person = findPerson(context.directory, member);
        const slack = person?.slack ?? (/^[UW][A-Z0-9]{2,}$/.test(member) ? member : undefined);
        return slack
          ? { target: { kind: 'slack', channel: slack }, label: `Slack DM to ${person?.id ?? slack}` }
          : personal(member, context);
      });
    case 'teams':
      return [{ target: { kind: 'teams', urlFrom: channel.urlFrom }, label: `Teams (${group}, ${channel.urlFrom})` }];
    case 'webhook': {
      const where = channel.url ? new URL(channel.url).host : channel.urlFrom!;
      return [
        {
          target: {
            kind: 'webhook',
            ...(channel.url ? { url: channel.url } : { urlFrom: channel.urlFrom! }),
            secretFrom: channel.secretFrom,
          },
          label: `webhook ${where} (${group}${index ? ` #${index + 1}` : ''})`,
        },
      ];
    }
  }
}

/** A person's own channel: what they prefer, else Slack when they have an id, else e-mail, else the local inbox. */
function personal(id: string, context: PlanContext): Resolved {
  const person = findPerson(context.directory, id);
  if (!person) return LOCAL;
  const slack: Resolved | undefined =
    person.slack && context.configured.slack
      ? { target: { kind: 'slack', channel: person.slack }, label: `Slack DM to ${person.id}` }
      : undefined;
  const email: Resolved | undefined =
    person.email && context.configured.email
      ? { target: { kind: 'email', to: person.email }, label: `e-mail to ${person.id}` }
      : undefined;
  return (person.prefers === 'email' ? (email ?? slack) : (slack ?? email)) ?? LOCAL;
}

/** By directory id, or by Slack user id (groups.yaml may list members as Slack sees them). */
export function findPerson(directory: Directory, id: string): Person | undefined {
  return directory.people.find((p) => p.id === id) ?? directory.people.find((p) => p.slack === id);
}

function targetId(target: DeliveryTarget): string {
  switch (target.kind) {
    case 'local':
      return 'local';
    case 'email':
      return `email:${target.to.toLowerCase()}`;
    case 'slack':
      return `slack:${target.channel}`;
    case 'teams':
      return `teams:${target.urlFrom}`;
    case 'webhook':
      return `webhook:${target.url ?? `env:${target.urlFrom}`}`;
  }
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
