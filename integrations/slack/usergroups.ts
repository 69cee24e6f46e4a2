// Slack user groups as approver groups: groups.yaml maps a group name to a Slack user group id, and
// that user group's members belong to the group. Looked up through the Web API (usergroups.users.list)
// and kept for a minute, so a burst of clicks costs one look-up and a membership change shows soon.
import type { WebClient } from '@slack/web-api';

const MEMBERS_TTL_MS = 60_000;

export class SlackUsergroups {
  private readonly members = new Map<string, { at: number; users: Promise<string[]> }>();

  constructor(
    private readonly client: WebClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Slack user ids in the user group with this id. */
  membersOf(usergroupId: string): Promise<string[]> {
    const cached = this.members.get(usergroupId);
    if (cached && this.now() - cached.at < MEMBERS_TTL_MS) return cached.users;
    const users = this.client.usergroups.users.list({ usergroup: usergroupId }).then((r) => r.users ?? []);
    const entry = { at: this.now(), users };
    this.members.set(usergroupId, entry);
    users.catch(() => {
      if (this.members.get(usergroupId) === entry) this.members.delete(usergroupId);
    });
    return users;
  }

  /** Of these approver groups (name → Slack user group id), the names whose user group has `user`. */
  async groupsOf(user: string, usergroupIds: Record<string, string>): Promise<string[]> {
    const found = await Promise.all(
      Object.entries(usergroupIds).map(async ([name, id]) =>
        (await this.membersOf(id)).includes(user) ? name : undefined,
      ),
    );
    return found.filter((name): name is string => name !== undefined);
  }
}
