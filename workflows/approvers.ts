// Who may decide a step. Pure: runs inside update validators, which must be synchronous and deterministic.
import type { ApproverGroups } from '../runbooks/schema.js';

export function mayDecide(actor: string, refs: string[], commander: string, groups: ApproverGroups): boolean {
  return refs.some((ref) => {
    if (ref === 'ic') return actor === commander;
    if (ref.startsWith('user:')) return actor === ref.slice('user:'.length);
    if (ref.startsWith('group:')) return groups[ref.slice('group:'.length)]?.includes(actor) ?? false;
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
