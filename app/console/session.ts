// Who is acting in this console, as the server configured it.
import { typedName, type ConsoleConfig } from './api.js';

/** The person to send as the actor, or undefined when the console may only read. */
export function actingPerson(config: ConsoleConfig): string | undefined {
  if (config.identity.mode === 'verified') return config.identity.user;
  if (config.identity.mode === 'unauthenticated') return typedName() || undefined;
  return undefined;
}

export function requirePerson(config: ConsoleConfig): string {
  const person = actingPerson(config);
  if (!person)
    throw new Error(
      config.identity.mode === 'read-only'
        ? 'Sign in first (see the banner): this server acts only for people it can identify.'
        : 'Enter your name at the top first.',
    );
  return person;
}
