import { retryAfterMs } from '../http/retry-after.js';
import {
  ModelRegistryBusy,
  ModelRollbackRefused,
  moveTagKey,
  targetVersion,
  type AliasMoveRequest,
  type AliasMoveResult,
  type AliasReading,
  type ModelRegistry,
  type RecordedMove,
} from './provider.js';

export interface MlflowConfig {
  /** MLFLOW_TRACKING_URI: the tracking server that hosts the Model Registry. */
  trackingUri: string;
  /** MLFLOW_TRACKING_TOKEN (bearer), or MLFLOW_TRACKING_USERNAME / _PASSWORD (basic), as MLflow's own clients read them. */
  token?: string;
  username?: string;
  password?: string;
}

interface RegisteredModel {
  name: string;
  tags?: { key: string; value: string }[];
}

/**
 * An MLflow Model Registry over its REST API (MLflow ships no JavaScript client). A rollback moves an alias
 * (`champion`) to an earlier version. Before moving, it tags the registered model with the idempotency key
 * and the versions, so a retry after a crash finds the first move (and the version to undo to) instead of
 * stepping back a second time; the tag is also the registry's record of who rolled back and why.
 */
export class MlflowModelRegistry implements ModelRegistry {
  private readonly base: string;

  constructor(private readonly config: MlflowConfig) {
    this.base = config.trackingUri.replace(/\/$/, '');
  }

  get observedVia(): string {
    return `MLflow at ${this.base}`;
  }

  async moveAlias({ model, alias, to, idempotencyKey, comment }: AliasMoveRequest): Promise<AliasMoveResult> {
    const serving = (await this.readAlias(model, alias)).version;
    const recorded = await this.recordedMove(model, idempotencyKey);
    if (recorded) {
      // A retry: finish the first move if the crash came between the tag and the alias.
      if (serving !== recorded.target) await this.setAlias(model, alias, recorded.target);
      return this.result(model, alias, recorded.previous, recorded.target, serving !== recorded.target);
    }
    const target = targetVersion(model, alias, to, serving, await this.versions(model));
    if (target === serving)
      return {
        ...this.result(model, alias, serving, serving, false),
        summary: `MLflow model ${model}: "${alias}" already serves version ${serving}`,
      };
    const move: RecordedMove = { alias, previous: serving, target, comment };
    await this.post('registered-models/set-tag', {
      name: model,
      key: moveTagKey(idempotencyKey),
      value: JSON.stringify(move),
    });
    await this.setAlias(model, alias, target);
    return this.result(model, alias, serving, target, true);
  }

  async readAlias(model: string, alias: string): Promise<AliasReading> {
    const { model_version } = await this.get<{ model_version: { version: string } }>('registered-models/alias', {
      name: model,
      alias,
    });
    return { model, alias, version: String(model_version.version), observedVia: this.observedVia };
  }

  private result(model: string, alias: string, previous: string, current: string, changed: boolean): AliasMoveResult {
    return {
      model,
      alias,
      previous,
      current,
      changed,
      summary: `MLflow model ${model}: "${alias}" version ${previous} → ${current}`,
    };
  }

  private setAlias(model: string, alias: string, version: string): Promise<unknown> {
    return this.post('registered-models/alias', { name: model, alias, version });
  }

  private async recordedMove(model: string, idempotencyKey: string): Promise<RecordedMove | undefined> {
    const { registered_model } = await this.get<{ registered_model: RegisteredModel }>('registered-models/get', {
      name: model,
    });
    const tag = registered_model.tags?.find((t) => t.key === moveTagKey(idempotencyKey));
    return tag ? (JSON.parse(tag.value) as RecordedMove) : undefined;
  }

  private async versions(model: string): Promise<string[]> {
    const versions: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.get<{ model_versions?: { version: string }[]; next_page_token?: string }>(
        'model-versions/search',
        {
          filter: `name='${model.replace(/'/g, "\\'")}'`,
          max_results: '200',
          ...(pageToken ? { page_token: pageToken } : {}),
        },
      );
      versions.push(...(page.model_versions ?? []).map((v) => String(v.version)));
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return versions;
  }

  private get<T>(method: string, query: Record<string, string>): Promise<T> {
    return this.call<T>('GET', `${method}?${new URLSearchParams(query).toString()}`);
  }

  private post<T>(method: string, body: Record<string, string>): Promise<T> {
    return this.call<T>('POST', method, JSON.stringify(body));
  }

  private async call<T>(verb: 'GET' | 'POST', path: string, body?: string): Promise<T> {
    const response = await fetch(`${this.base}/api/2.0/mlflow/${path}`, {
      method: verb,
      headers: { ...this.authorization(), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {}),
    });
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : {}) as T;
    const { error_code, message } = parseError(text);
    const what = `MLflow ${verb} ${path.split('?')[0]}: ${response.status} ${error_code ? `${error_code} ` : ''}${message}`;
    if (response.status === 429)
      throw new ModelRegistryBusy(what, retryAfterMs(response.headers.get('retry-after')) ?? 10_000);
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 409)
      throw new ModelRollbackRefused(what);
    throw new Error(what);
  }

  private authorization(): Record<string, string> {
    if (this.config.token) return { authorization: `Bearer ${this.config.token}` };
    if (this.config.username)
      return {
        authorization: `Basic ${Buffer.from(`${this.config.username}:${this.config.password ?? ''}`).toString('base64')}`,
      };
    return {};
  }
}

/** MLflow answers `{ error_code, message }`; a proxy in front of it may answer anything. */
function parseError(text: string): { error_code?: string; message: string } {
  try {
    const parsed = JSON.parse(text) as { error_code?: string; message?: string };
    return {
      ...(parsed.error_code ? { error_code: parsed.error_code } : {}),
      message: parsed.message ?? text.slice(0, 200),
    };
  } catch {
    return { message: text.slice(0, 200) };
  }
}
