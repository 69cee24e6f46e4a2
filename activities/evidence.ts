import type { FlagProvider } from '../integrations/flags/provider.js';
import type { ModelRegistry } from '../integrations/model-registry/provider.js';
import type { EvidenceStore } from '../integrations/evidence/store.js';
import { captureSnapshot, type SnapshotRequest, type SnapshotResult } from '../integrations/evidence/snapshot.js';
import type { HttpRequestOptions } from '../integrations/http/request.js';

/**
 * Evidence before containment. A read that fails is reported in the result, not thrown: the workflow
 * decides (a `required` step waits for the IC); retrying here would only hold the approval request up.
 */
export function createEvidenceActivities(
  deps: { flags: FlagProvider; models: ModelRegistry; store: EvidenceStore },
  http: HttpRequestOptions = {},
) {
  return {
    async captureEvidence(request: SnapshotRequest): Promise<SnapshotResult> {
      return captureSnapshot(request, { ...deps, http });
    },
  };
}
