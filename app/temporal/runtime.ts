import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/**
 * Installs the Temporal SDK runtime once per process: one log level for the SDK's TypeScript and native
 * (core) logs, no signal handlers of its own unless asked (our entry points stop workers in order), and
 * the core's metrics on `metricsAddress` when given.
 */
export function installTemporalRuntime(
  level: LogLevel,
  { handleSignals = false, metricsAddress }: { handleSignals?: boolean; metricsAddress?: string } = {},
): void {
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: {
      logging: { filter: { core: level, other: level } },
      // The worker's figures in the Prometheus text format on this address (read by /metrics).
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
    ...(handleSignals ? {} : { shutdownSignals: [] }),
  });
}
