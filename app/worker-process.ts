// ROLE=all runs the worker as a child process (`main.js --role worker`) beside the API, so that the
// API's event loop and heap are its own: a replay of an evicted incident, an activation of thousands of
// timers or the worker's garbage never delay a request, a scrape or a Slack acknowledgement.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../integrations/log.js';
import { freeLoopbackAddress } from './temporal/core-metrics.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));
const READY_MS = 60_000;

/** What a worker started by `startWorkerProcess` sends its parent once it polls its task queue. */
export const WORKER_READY = 'worker-ready';

export interface WorkerProcess {
  pid: number;
  /** Its own /healthz and /metrics (process figures), on loopback. */
  url: string;
  /** The Temporal core's Prometheus endpoint in the worker process (task slots, sticky cache, …). */
  coreMetricsAddress: string;
  /** Settles when the process has exited, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, and the exit once it has drained. */
  stop(): Promise<void>;
  kill(): void;
}

export async function startWorkerProcess(options: {
  temporalAddress: string;
  namespace: string;
  dataDir: string;
  publicUrl: string;
  temporalUiUrl?: string;
  log: Logger;
}): Promise<WorkerProcess> {
  const http = await freeLoopbackAddress();
  const core = await freeLoopbackAddress();
  const child: ChildProcess = fork(MAIN, ['--role', 'worker'], {
    env: {
      ...process.env,
      ROLE: 'worker',
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: options.namespace,
      DATA_DIR: options.dataDir,
      // Links in pages, messages and tickets point where people reach the API, not at the worker.
      PUBLIC_URL: options.publicUrl,
      ...(options.temporalUiUrl ? { TEMPORAL_UI_URL: options.temporalUiUrl } : {}),
      HOST: '127.0.0.1',
      PORT: http.split(':')[1],
      TEMPORAL_METRICS_PORT: core.split(':')[1],
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<boolean>((resolve) => {
    child.on('message', (message) => message === WORKER_READY && resolve(true));
    void exited.then(() => resolve(false));
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READY_MS)));
  const outcome = await Promise.race([ready, timedOut]);
  clearTimeout(timer);
  if (outcome !== true) {
    child.kill('SIGKILL');
    const { code, signal } = await exited;
    throw new Error(
      outcome === 'timeout'
        ? `the worker process did not start polling within ${READY_MS / 1000} s`
        : `the worker process exited before it started (${signal ?? `exit code ${code}`})`,
    );
  }
  options.log.info('worker process started', { pid: child.pid });
  return {
    pid: child.pid!,
    url: `http://${http}`,
    coreMetricsAddress: core,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
