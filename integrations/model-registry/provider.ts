import { ServiceBusy, ServiceRefused } from '../service-errors.js';

/** Which version an alias serves: what a model rollback changes and what its verification reads. */
export interface AliasReading {
  model: string;
  alias: string;
  version: string;
  /** Where the reading came from, for people: `MLflow at http://…`, `the local model registry`. */
  observedVia: string;
}

export interface AliasMoveRequest {
  model: string;
  alias: string;
  /** A version number, or `previous`: the highest version below the one the alias serves now. */
  to: string;
  /** The same key on a retry returns the first move instead of moving again. */
  idempotencyKey: string;
  /** Why, for the registry's audit trail. */
  comment: string;
}

export interface AliasMoveResult {
  model: string;
  alias: string;
  /** The version the alias served before this move (kept across retries, for undo). */
  previous: string;
  current: string;
  /** False when the alias already served the target, or this idempotency key moved it before. */
  changed: boolean;
  summary: string;
}

/** Where registered models live: a local file by default, an MLflow Model Registry once configured. */
export interface ModelRegistry {
  moveAlias(request: AliasMoveRequest): Promise<AliasMoveResult>;
  readAlias(model: string, alias: string): Promise<AliasReading>;
}

/** No such model, alias or version, or no earlier version to go back to: retrying will not help. */
export class ModelRollbackRefused extends ServiceRefused {
  override name = 'ModelRollbackRefused';
}

export class ModelRegistryBusy extends ServiceBusy {
  override name = 'ModelRegistryBusy';
}

/** The version `to` names among `versions` (numbers as strings), given the one the alias serves. */
export function targetVersion(model: string, alias: string, to: string, serving: string, versions: string[]): string {
  if (to !== 'previous') {
    if (!versions.includes(to))
      throw new ModelRollbackRefused(
        `Model "${model}" has no version ${to} (versions: ${versions.join(', ') || 'none'})`,
      );
    return to;
  }
  const earlier = versions
    .map(Number)
    .filter((v) => v < Number(serving))
    .sort((a, b) => b - a);
  if (!earlier.length)
    throw new ModelRollbackRefused(`Model "${model}" has no version before ${serving}, which "${alias}" serves`);
  return String(earlier[0]);
}

/** The registry tag that records a move: its key carries the idempotency key, its value the versions. */
export const moveTagKey = (idempotencyKey: string) => `incident-response.rollback/${idempotencyKey}`;

export interface RecordedMove {
  alias: string;
  previous: string;
  target: string;
  comment: string;
}
