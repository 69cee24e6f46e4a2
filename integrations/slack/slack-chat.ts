// The incident's Slack channel: created with a name made of the id and title, its people invited, a
// pinned status message kept current, and one message per step awaiting a decision.
import type { WebClient } from '@slack/web-api';
import type { ApprovalView, ChatChannel, ChatProvider, OpenChannelRequest, StatusView } from '../chat/provider.js';
import { approvalMessage, statusMessage } from './blocks.js';
import type { SlackUsergroups } from './usergroups.js';
import { classifySlackError, slackErrorCode } from './web-client.js';

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;
const MAX_NAME = 80;

/** `inc-7k3qx-jailbreak-regression`: lower-case letters, digits and hyphens, at most 80 characters. */
export function channelName(incidentId: string, title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // accents off: "Ü" → "u"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${incidentId.toLowerCase()}${slug ? `-${slug}` : ''}`.slice(0, MAX_NAME).replace(/-+$/, '');
}

/** The incident a channel belongs to, read from its name (`inc-7k3qx-…` → `INC-7K3QX`). */
export function incidentOfChannel(name: string | undefined): string | undefined {
  const match = /^inc-([0-9a-z]{5})(?:-|$)/.exec(name ?? '');
  return match ? `INC-${match[1]!.toUpperCase()}` : undefined;
}

export class SlackChat implements ChatProvider {
  readonly name = 'slack';

  constructor(
    private readonly client: WebClient,
    private readonly usergroups: SlackUsergroups,
    /** groups.yaml `slack:` as it is now: approver group name → Slack user group id. */
    private readonly usergroupIds: () => Promise<Record<string, string>>,
  ) {}

  async openChannel(request: OpenChannelRequest): Promise<ChatChannel> {
    const purpose = `Incident ${request.incidentId}: ${request.title}`.slice(0, 250);
    const channel = await this.createOrFind(
      channelName(request.incidentId, request.title),
      request.incidentId,
      purpose,
    );
    const invited = await this.invite(channel.id, request);
    return { ...channel, ...invited };
  }

  async showStatus(channel: ChatChannel, view: StatusView, ts?: string): Promise<{ ts: string }> {
    const message = statusMessage(view);
    if (ts && (await this.update(channel.id, ts, message))) return { ts };
    return { ts: await this.post(channel.id, message) };
  }

  async pin(channel: ChatChannel, ts: string): Promise<void> {
    await this.client.pins.add({ channel: channel.id, timestamp: ts }).catch((err: unknown) => {
      if (slackErrorCode(err) !== 'already_pinned') classifySlackError(err, 'pin the status message');
    });
  }

  async showApproval(channel: ChatChannel, view: ApprovalView, ts?: string): Promise<{ ts: string }> {
    const message = approvalMessage(view);
    if (ts && (await this.update(channel.id, ts, message))) return { ts };
    return { ts: await this.post(channel.id, message) };
  }

  private async post(channel: string, message: { text: string; blocks: object[] }): Promise<string> {
    try {
      const answer = await this.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks as never,
        unfurl_links: false,
      });
      return answer.ts!;
    } catch (err) {
      classifySlackError(err, 'post to the incident channel');
    }
  }

  /** False when the message is gone (deleted by someone): it is posted anew. */
  private async update(channel: string, ts: string, message: { text: string; blocks: object[] }): Promise<boolean> {
    try {
      await this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never });
      return true;
    } catch (err) {
      if (slackErrorCode(err) === 'message_not_found') return false;
      classifySlackError(err, 'update a message in the incident channel');
    }
  }

  /**
   * A retry after a crash finds the channel it created: the same name, and a purpose naming the incident
   * (or none yet, when the crash came between creating it and setting the purpose: names carry the
   * incident's random id, so nobody else's channel starts that way by chance).
   */
  private async createOrFind(base: string, incidentId: string, purpose: string): Promise<ChatChannel> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const name = attempt === 1 ? base : `${base.slice(0, MAX_NAME - 2)}-${attempt}`;
      let id: string | undefined;
      try {
        id = (await this.client.conversations.create({ name, is_private: false })).channel!.id!;
      } catch (err) {
        if (slackErrorCode(err) !== 'name_taken') classifySlackError(err, `create channel #${name}`);
      }
      if (id === undefined) {
        const existing = await this.findChannel(name);
        const ours = existing?.purpose?.value
          ? existing.purpose.value.includes(incidentId)
          : name.startsWith(incidentId.toLowerCase());
        if (!existing || !ours) continue;
        id = existing.id!;
      }
      // The purpose is a convenience (and the mark above): not worth failing the channel for.
      await this.client.conversations.setPurpose({ channel: id, purpose }).catch(() => undefined);
      return this.ref(id, name);
    }
    throw new Error(`Slack channel names ${base} to ${base}-5 are all taken`);
  }

  private async findChannel(name: string) {
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations
        .list({ types: 'public_channel', exclude_archived: true, limit: 1000, ...(cursor ? { cursor } : {}) })
        .catch((err: unknown) => classifySlackError(err, 'list channels'));
      const found = page.channels?.find((c) => c.name === name);
      if (found) return found;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }

  private ref(id: string, name: string): ChatChannel {
    return { provider: this.name, id, name, url: `https://slack.com/app_redirect?channel=${id}` };
  }

  /** Slack user ids among the people and the groups (their listed members and their Slack user groups). */
  private async invite(
    channel: string,
    request: OpenChannelRequest,
  ): Promise<Pick<ChatChannel, 'invited' | 'inviteProblem'>> {
    const ids = await this.usergroupIds().catch((): Record<string, string> => ({}));
    const fromGroups = await Promise.all(
      Object.entries(request.groups).map(async ([name, listed]) => [
        ...listed,
        ...(ids[name] ? await this.usergroups.membersOf(ids[name]).catch(() => []) : []),
      ]),
    );
    const users = [...new Set([...request.people, ...fromGroups.flat()])].filter((u) => SLACK_USER_ID.test(u));
    if (!users.length) return { invited: [] };
    try {
      await this.client.conversations.invite({ channel, users: users.join(','), force: true }); // invite the valid ones even if one id is stale
    } catch (err) {
      const code = slackErrorCode(err);
      if (code !== 'already_in_channel')
        return {
          invited: [],
          inviteProblem: `could not invite ${users.join(', ')}: ${code ?? (err as Error).message}`,
        };
    }
    return { invited: users };
  }
}
