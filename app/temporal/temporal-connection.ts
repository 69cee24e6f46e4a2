import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

export interface TemporalConnections {
  client: Client;
  connection: Connection;
  workerConnection: NativeConnection;
  namespace: string;
  address: string;
  close(): Promise<void>;
}

/** Where to connect: the embedded server when given, else what @temporalio/envconfig describes (below). */
export function connectOptionsFor(embedded: TemporalTarget | undefined) {
  const { connectionOptions, namespace } = embedded
    ? { connectionOptions: { address: embedded.address }, namespace: embedded.namespace }
    : loadClientConnectConfig();
  return {
    connectionOptions,
    namespace: namespace ?? 'default',
    address: connectionOptions.address ?? 'localhost:7233',
  };
}

/**
 * Connects to the embedded server (`embedded` given) or, with TEMPORAL_ADDRESS set, to the cluster that
 * @temporalio/envconfig describes: TEMPORAL_NAMESPACE, TEMPORAL_API_KEY (turns TLS on), TEMPORAL_TLS_*,
 * or a profile in the Temporal config file. This is the path to Temporal Cloud.
 */
export async function connectTemporal(
  embedded: TemporalTarget | undefined,
  timeoutMs = 30_000,
): Promise<TemporalConnections> {
  const { connectionOptions, namespace: ns, address } = connectOptionsFor(embedded);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect(connectionOptions);
      // A fresh dev server accepts connections a moment before its namespace exists.
      await connection.workflowService.describeNamespace({ namespace: ns });
      const workerConnection = await NativeConnection.connect(connectionOptions);
      const client = new Client({ connection, namespace: ns });
      return {
        client,
        connection,
        workerConnection,
        namespace: ns,
        address,
        async close() {
          await workerConnection.close();
          await connection!.close();
        },
      };
    } catch (err) {
      await connection?.close().catch(() => undefined);
      if (Date.now() > deadline) {
        throw new Error(`Cannot reach Temporal at ${address} (namespace ${ns}): ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
