// A source that suddenly sends many new alert groups (a broken rule, a label with a request id in it, an
// attacker with the alert token) would open an incident per group. Past a rate of new groups per
// source, further new groups join one "alert flood" incident of that source instead: nothing is
// dropped, and one incident tells the IC what happened. Kept per process: several API servers each
// allow the rate.
import type { GroupAlerts } from '../../workflows/messages.js';

export const NEW_GROUPS_PER_MINUTE = 60;
/** Group keys remembered per source, so that a known group is not counted as new again. */
const REMEMBERED_GROUPS = 20_000;
const MINUTE_MS = 60_000;

export class FloodGuard {
  private readonly known = new Map<string, Map<string, number>>();
  private readonly recentNew = new Map<string, number[]>();

  constructor(
    private readonly perMinute = NEW_GROUPS_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  /** The groups as they should go: known ones and new ones within the rate as they are, the rest folded into the source's flood group. */
  admit(source: string, groups: GroupAlerts[]): GroupAlerts[] {
    const now = this.now();
    const known = this.known.get(source) ?? new Map<string, number>();
    this.known.set(source, known);
    const recent = (this.recentNew.get(source) ?? []).filter((at) => now - at < MINUTE_MS);
    this.recentNew.set(source, recent);
    const admitted: GroupAlerts[] = [];
    let flood: GroupAlerts | undefined;
    for (const group of groups) {
      if (group.groupKey === floodKey(source) || known.has(group.groupKey) || recent.length < this.perMinute) {
        if (!known.has(group.groupKey)) recent.push(now);
        remember(known, group.groupKey, now);
        admitted.push(group);
        continue;
      }
      flood ??= {
        groupKey: floodKey(source),
        routing: {
          ...group.routing,
          title: `Alert flood from ${source}: more than ${this.perMinute} new alert groups a minute`,
          description: `New alert groups from ${source} came faster than ${this.perMinute} a minute; the excess joined this incident instead of opening one each. Its alerts name their groups. Check the alert rules and their labels.`,
          severityFrom: 'alert',
        },
        alerts: [],
      };
      for (const alert of group.alerts)
        flood.alerts.push({
          ...alert,
          fingerprint: `${group.groupKey}/${alert.fingerprint}`.slice(0, 512),
          title: `[${group.groupKey.slice(0, 200)}] ${alert.title}`,
        });
    }
    return flood ? [...admitted, flood] : admitted;
  }
}

export const floodKey = (source: string) => `flood:${source}`;

function remember(known: Map<string, number>, groupKey: string, at: number): void {
  known.delete(groupKey);
  known.set(groupKey, at);
  if (known.size > REMEMBERED_GROUPS) known.delete(known.keys().next().value!);
}
