// The worker's own figures (task slots, sticky cache size and misses, activity failures by activity
// type, poll and schedule latencies): the Temporal core exports them on a Prometheus endpoint of its
// own, set up when the runtime is installed. /metrics reads it in its background refresh.
import { createServer } from 'node:net';

/** A loopback address with a free port, for the core's endpoint when none is configured. */
export async function freeLoopbackAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/** Reads the core's exposition (a few KB; it knows nothing of incidents, so it costs the same at any count). */
export function coreMetricsReader(address: string, timeoutMs = 2_000): () => Promise<string> {
  return async () => {
    const response = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`worker metrics at ${address}: ${response.status}`);
    return await response.text();
  };
}
