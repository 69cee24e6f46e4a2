import type { Directory } from '../../runbooks/directory.js';
import type { Identity } from './authenticator.js';

/**
 * The directory's id for a verified identity: a Slack user by their Slack id; anyone else by their
 * e-mail (the usual OpenID Connect person claim) or id. Someone the directory does not list keeps the
 * identity their source gave.
 */
export function inDirectory(directory: Directory, identity: Identity): Identity {
  const who = identity.person.toLowerCase();
  const person =
    identity.via === 'slack'
      ? directory.people.find((p) => p.slack === identity.person)
      : directory.people.find((p) => p.email?.toLowerCase() === who || p.id === who);
  return person ? { ...identity, person: person.id } : identity;
}
