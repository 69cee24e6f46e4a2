// What a self-hosted Temporal cluster needs before the product can run on it, done through the operator
// and workflow services: a namespace, and the product's search attributes registered in it. The dev
// server does both at start (`--namespace`, `--search-attribute`); a cluster does neither by itself.
// Used by scripts/temporal-cluster.mjs and by the cluster tests, which make a namespace per run.
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { incidentSearchAttributes } from '../../workflows/search-attributes.js';

/** How often each service of the server reloads its namespaces (`system.namespaceCacheRefreshInterval`, default 10 s). */
export const NAMESPACE_REFRESH_MS = 10_000;

type AttributeKey = { name: string; type: SearchAttributeType };

/** Registers the namespace unless it exists; true when it was created now. */
export async function ensureNamespace(
  connection: Connection,
  namespace: string,
  retentionDays: number,
): Promise<boolean> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays}d`),
    });
    return true;
  } catch (err) {
    if (/already exists/i.test((err as Error).message)) return false;
    throw err;
  }
}

/** Registers every key the namespace lacks (SQL visibility keeps custom attributes per namespace); the names added. */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly AttributeKey[] = incidentSearchAttributes,
  timeoutMs = 60_000,
): Promise<string[]> {
  // A namespace registered a moment ago is not yet known to every service: retry until it is.
  const registered = await retrying(timeoutMs, () => connection.operatorService.listSearchAttributes({ namespace }));
  const missing = keys.filter((key) => !(key.name in (registered.customAttributes ?? {})));
  if (missing.length === 0) return [];
  await retrying(timeoutMs, () =>
    connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
      ),
    }),
  );
  return missing.map((key) => key.name);
}

/** A value of each type that visibility parses: a query naming an attribute it does not know yet fails. */
const PROBE_VALUES: Record<SearchAttributeType, string> = {
  KEYWORD: '"probe"',
  TEXT: '"probe"',
  KEYWORD_LIST: '"probe"',
  INT: '0',
  DOUBLE: '0',
  BOOL: 'true',
  DATETIME: '"2000-01-01T00:00:00Z"',
};

/**
 * Waits until the frontend filters by every key, then one namespace refresh more, after which the
 * history service (which checks the attributes a workflow upserts) has reloaded the namespace too.
 */
export async function waitForSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly AttributeKey[] = incidentSearchAttributes,
  timeoutMs = 60_000,
): Promise<void> {
  const query = keys.map((key) => `${key.name} = ${PROBE_VALUES[key.type]}`).join(' AND ');
  await retrying(timeoutMs, () => connection.workflowService.countWorkflowExecutions({ namespace, query }));
  await new Promise((resolve) => setTimeout(resolve, NAMESPACE_REFRESH_MS + 1_000));
}

async function retrying<T>(timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
