import type {
  AliasMoveRequest,
  AliasMoveResult,
  AliasReading,
  ModelRegistry,
} from '../integrations/model-registry/provider.js';
import { redact } from '../integrations/redaction/redact.js';
import { asActivityFailure } from './failure-classes.js';

export function createModelActivities(registry: ModelRegistry) {
  return {
    async moveModelAlias(request: AliasMoveRequest): Promise<AliasMoveResult> {
      return registry.moveAlias({ ...request, comment: redact(request.comment) }).catch(asActivityFailure);
    },
    async readModelAlias({ model, alias }: { model: string; alias: string }): Promise<AliasReading> {
      return registry.readAlias(model, alias).catch(asActivityFailure);
    },
  };
}
