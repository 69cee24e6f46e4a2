// Who may decide a step. Pure: runs inside update validators, which must be synchronous and deterministic.
import type { ApproverGroups } from '../../runbooks/schema.js';

/** `memberOf`: groups an authenticated entry point (Slack) vouches the actor belongs to. */
export function mayDecide(actor: string, refs: string[], commander: string, groups: ApproverGroups, memberOf: string[] = []): boolean {
  return refs.some((ref) => {
    if (ref === 'ic') return actor === commander;
    if (ref.startsWith('user:')) return actor === ref.slice('user:'.length);
    if (ref.startsWith('group:')) {
      const name = ref.slice('group:'.length);
      return (groups[name]?.includes(actor) ?? false) || memberOf.includes(name);
    }
    return false;
  });
}

export function describeApprovers(refs: string[], commander: string, groups: ApproverGroups): string {
  return refs
    .map((ref) => {
      if (ref === 'ic') return `the incident commander (${commander})`;
      if (ref.startsWith('user:')) return ref.slice('user:'.length);
      const name = ref.slice('group:'.length);
      return `group ${name} (${(groups[name] ?? []).join(', ')})`;
    })
    .join(', ');
}
