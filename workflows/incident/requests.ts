// What every request to the incident must carry, checked the same way everywhere: a refusal is a
// non-retryable failure whose type the entry points map to an HTTP status.
import { ApplicationFailure } from '@temporalio/workflow';
import type { IdentitySource } from '../../runbooks/vocabulary.js';
import { FailureType } from '../failures.js';

export function refuse(type: FailureType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') refuse(FailureType.invalid, `${field} is required`);
  return value.trim();
}

export const now = () => new Date().toISOString();

/** Control and format characters (zero-width spaces, direction overrides): look-alike ids are refused, not normalised away. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/** The acting person's id: present, NFKC-normalised by the entry point, nothing invisible in it. */
export function requireActor(value: unknown, field = 'actor'): string {
  const id = requireText(value, field);
  if (INVISIBLE.test(id)) refuse(FailureType.invalid, `${field} contains control or format characters`);
  if (id !== id.normalize('NFKC')) refuse(FailureType.invalid, `${field} must be NFKC-normalised`);
  return id;
}

/** Who did something, and how they were identified. */
export interface ActorRef {
  actor: string;
  via?: IdentitySource;
}

export const actorOf = (input: ActorRef): ActorRef => ({
  actor: input.actor.trim(),
  ...(input.via ? { via: input.via } : {}),
});
