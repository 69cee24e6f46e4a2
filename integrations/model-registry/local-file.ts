import { JsonFile } from '../local-store/json-file.js';
import {
  ModelRollbackRefused,
  targetVersion,
  type AliasMoveRequest,
  type AliasMoveResult,
  type AliasReading,
  type ModelRegistry,
  type RecordedMove,
} from './provider.js';

interface LocalModel {
  versions: string[];
  aliases: Record<string, string>;
  /** Moves made, by idempotency key: what a retry returns, and the audit trail. */
  moves?: Record<string, RecordedMove & { at: string }>;
}

interface RegistryFile {
  models: Record<string, LocalModel>;
}

/** The embedded default: registered models, versions and aliases in a JSON file (`DATA_DIR/models.json`). */
export class LocalFileModelRegistry implements ModelRegistry {
  private readonly file: JsonFile<RegistryFile>;

  constructor(readonly path: string) {
    this.file = new JsonFile(path);
  }

  moveAlias({ model, alias, to, idempotencyKey, comment }: AliasMoveRequest): Promise<AliasMoveResult> {
    return this.file.exclusive(async () => {
      const registry = (await this.file.read()) ?? { models: {} };
      const entry = this.model(registry, model);
      const serving = this.serving(entry, model, alias);
      const summary = (previous: string, current: string) =>
        `Local model ${model}: "${alias}" version ${previous} → ${current}`;
      const earlier = entry.moves?.[idempotencyKey];
      if (earlier)
        return {
          model,
          alias,
          previous: earlier.previous,
          current: serving,
          changed: false,
          summary: `${summary(earlier.previous, earlier.target)} (already applied)`,
        };
      const target = targetVersion(model, alias, to, serving, entry.versions);
      if (target === serving)
        return {
          model,
          alias,
          previous: serving,
          current: serving,
          changed: false,
          summary: `Local model ${model}: "${alias}" already serves version ${serving}`,
        };
      entry.aliases[alias] = target;
      entry.moves = {
        ...entry.moves,
        [idempotencyKey]: { alias, previous: serving, target, comment, at: new Date().toISOString() },
      };
      await this.file.write(registry);
      return { model, alias, previous: serving, current: target, changed: true, summary: summary(serving, target) };
    });
  }

  async readAlias(model: string, alias: string): Promise<AliasReading> {
    const registry = (await this.file.read()) ?? { models: {} };
    return {
      model,
      alias,
      version: this.serving(this.model(registry, model), model, alias),
      observedVia: 'the local model registry',
    };
  }

  private model(registry: RegistryFile, model: string): LocalModel {
    const entry = registry.models[model];
    if (!entry)
      throw new ModelRollbackRefused(
        `No registered model "${model}" in ${this.path} (models: ${Object.keys(registry.models).join(', ') || 'none'})`,
      );
    return entry;
  }

  private serving(entry: LocalModel, model: string, alias: string): string {
    const version = entry.aliases[alias];
    if (version === undefined)
      throw new ModelRollbackRefused(
        `Model "${model}" has no alias "${alias}" (aliases: ${Object.keys(entry.aliases).join(', ') || 'none'})`,
      );
    return version;
  }
}
