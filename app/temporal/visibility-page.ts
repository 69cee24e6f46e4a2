// One page of a visibility list with its page token: `client.workflow.list()` pages internally and
// never hands the token out, so an HTTP cursor cannot resume it.
import { ServiceError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
// Not re-exported by the package: the decoding list() itself uses (memo through the data converter,
// typed search attributes), pinned with @temporalio/client 1.24.0.
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';

export interface VisibilityPage {
  executions: WorkflowExecutionInfo[];
  /** Absent on the last page (a page that ends exactly at the end may still have one, then an empty page follows). */
  nextPageToken?: Uint8Array;
}

export async function listPage(
  client: Client,
  request: { query: string; pageSize: number; nextPageToken?: Uint8Array },
): Promise<VisibilityPage> {
  const { namespace, loadedDataConverter } = client.workflow.options;
  let response;
  try {
    response = await client.workflowService.listWorkflowExecutions({
      namespace,
      query: request.query,
      pageSize: request.pageSize,
      nextPageToken: request.nextPageToken ?? new Uint8Array(),
    });
  } catch (err) {
    throw new ServiceError('Failed to list workflows', { cause: err as Error });
  }
  const executions = await Promise.all(
    response.executions.map((raw) => executionInfoFromRaw(raw, loadedDataConverter, raw, namespace)),
  );
  const token = response.nextPageToken;
  return { executions, ...(token && token.length ? { nextPageToken: token } : {}) };
}

/** Every execution the query matches, a page at a time (`pageSize` each). */
export async function* listAll(client: Client, query: string, pageSize = 1000): AsyncGenerator<WorkflowExecutionInfo> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await listPage(client, { query, pageSize, ...(nextPageToken ? { nextPageToken } : {}) });
    yield* page.executions;
    nextPageToken = page.nextPageToken;
  } while (nextPageToken);
}
