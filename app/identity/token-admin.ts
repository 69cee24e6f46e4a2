// Who may make, list and revoke personal API tokens: the policy's `administerTokens` (by default
// group:incident-admins). The operator on the server's host may also work on the store directly
// (`incident token create --local`), which is how the first admin's token is made.
import { durationMs, durationPattern } from '../../runbooks/duration.js';
import type { RunbookSource } from '../../runbooks/source.js';
import { FailureType } from '../../workflows/failures.js';
import { describeRoles, holdsRole } from '../../workflows/incident/approvers.js';
import { IncidentError } from '../incident-error.js';
import type { Actor } from '../incident-service.js';
import type { PersonalTokens, TokenRecord } from './personal-tokens.js';

export const MAX_TOKEN_LIFETIME = '400d';

export class TokenAdmin {
  constructor(
    private readonly tokens: PersonalTokens,
    private readonly runbooks: RunbookSource,
  ) {}

  async create(
    who: Actor,
    request: { user: string; expires: string },
  ): Promise<{ token: string; record: TokenRecord }> {
    await this.requireAdmin(who, 'create API tokens');
    return this.tokens.create({
      user: request.user.normalize('NFKC').trim(),
      expiresInMs: lifetime(request.expires),
      createdBy: who.actor,
    });
  }

  async list(who: Actor): Promise<TokenRecord[]> {
    await this.requireAdmin(who, 'list API tokens');
    return this.tokens.list();
  }

  async revoke(who: Actor, id: string): Promise<TokenRecord> {
    await this.requireAdmin(who, 'revoke API tokens');
    const revoked = await this.tokens.revoke(id, who.actor);
    if (!revoked) throw new IncidentError(FailureType.notFound, `No API token ${id}`);
    return revoked;
  }

  private async requireAdmin(who: Actor, what: string): Promise<void> {
    const library = await this.runbooks.current();
    const refs = library.policy.administerTokens;
    if (!holdsRole(refs, who.actor, who.memberOf ?? [], { commander: '', groups: library.groups, stepApprovers: [] })) {
      throw new IncidentError(
        FailureType.notAuthorized,
        `${who.actor} may not ${what}: only ${describeRoles(refs)} may`,
      );
    }
  }
}

/** `90d` → ms, at most MAX_TOKEN_LIFETIME: a token that never expires is a password nobody rotates. */
export function lifetime(expires: string): number {
  if (!durationPattern.test(expires))
    throw new IncidentError(FailureType.invalid, `expires must be a duration such as 90d, not "${expires}"`);
  const ms = durationMs(expires);
  if (ms <= 0 || ms > durationMs(MAX_TOKEN_LIFETIME))
    throw new IncidentError(FailureType.invalid, `expires must be more than 0 and at most ${MAX_TOKEN_LIFETIME}`);
  return ms;
}
