// Who may decide a step, and who holds a role of the incident's policy. Pure: runs inside update
// validators, which must be synchronous and deterministic.
import type { RoleRef } from '../../runbooks/roles.js';
import type { ApproverGroups } from '../../runbooks/schema.js';

/** `memberOf`: groups a verified identity source (the IdP's group claim, Slack user groups) vouches the actor belongs to. */
export function mayDecide(
  actor: string,
  refs: string[],
  commander: string,
  groups: ApproverGroups,
  memberOf: string[] = [],
): boolean {
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

/** For the people asked to decide: who may, with the members of each group. */
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

export interface RoleContext {
  commander: string;
  groups: ApproverGroups;
  /** The approvers of every containment step: `approvers` is whoever may decide one of them. */
  stepApprovers: string[][];
  /** A corrective action's owner, when the request is about one. */
  owner?: string;
}

export function holdsRole(refs: readonly RoleRef[], actor: string, memberOf: string[], ctx: RoleContext): boolean {
  return refs.some((ref) => {
    if (ref === 'anyone') return true;
    if (ref === 'owner') return ctx.owner !== undefined && actor === ctx.owner;
    if (ref === 'approvers')
      return ctx.stepApprovers.some((approvers) => mayDecide(actor, approvers, ctx.commander, ctx.groups, memberOf));
    return mayDecide(actor, [ref], ctx.commander, ctx.groups, memberOf);
  });
}

/** For a refusal: the roles that may, never the names of the people who hold them. */
export function describeRoles(refs: readonly string[]): string {
  const words = refs.map((ref) => {
    if (ref === 'anyone') return 'anyone identified';
    if (ref === 'ic') return 'the incident commander';
    if (ref === 'owner') return "the action's owner";
    if (ref === 'approvers') return 'an approver of a containment step';
    if (ref.startsWith('user:')) return 'a named person';
    return `members of group ${ref.slice('group:'.length)}`;
  });
  const unique = [...new Set(words)];
  return unique.length > 1 ? `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}` : unique[0]!;
}
