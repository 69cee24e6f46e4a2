// Slack user groups as approver groups: a runbook's `group:safety-oncall` includes the members of the
// Slack user group whose handle is `safety-oncall`. Looked up through the Web API and kept briefly, so
// a burst of clicks costs one look-up, and a membership change shows within a minute.
import type { WebClient } from '@slack/web-api';

const MEMBERS_TTL_MS = 60_000;

export class SlackUsergroups {
  private handles: { at: number; ids: Promise<Map<string, string>> } | undefined;
  private readonly members = new Map<string, { at: number; users: Promise<string[]> }>();

  constructor(
    private readonly client: WebClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The Slack user ids in the user group with this handle; none when there is no such group. */
  async membersOf(handle: string): Promise<string[]> {
    const id = (await this.ids()).get(handle);
    if (!id) return [];
    const cached = this.members.get(id);
    if (cached && this.now() - cached.at < MEMBERS_TTL_MS) return cached.users;
    const users = this.client.usergroups.users.list({ usergroup: id }).then((r) => r.users ?? []);
    this.members.set(id, { at: this.now(), users });
    users.catch(() => this.members.delete(id));
    return users;
  }

  /** Of these handles, the ones whose Slack user group has `user` as a member. */
  async groupsOf(user: string, handles: string[]): Promise<string[]> {
    const found = await Promise.all(handles.map(async (handle) => ((await this.membersOf(handle)).includes(user) ? handle : undefined)));
    return found.filter((h): h is string => h !== undefined);
  }

  private ids(): Promise<Map<string, string>> {
    if (this.handles && this.now() - this.handles.at < MEMBERS_TTL_MS) return this.handles.ids;
    const ids = this.client.usergroups.list({}).then((r) => new Map((r.usergroups ?? []).flatMap((g) => (g.handle && g.id ? [[g.handle, g.id] as const] : []))));
    const entry = { at: this.now(), ids };
    this.handles = entry;
    ids.catch(() => {
      if (this.handles === entry) this.handles = undefined;
    });
    return ids;
  }
}
