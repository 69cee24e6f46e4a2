import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/**
 * Installs the Temporal SDK runtime once per process: one log level for the SDK's TypeScript and native
 * (core) logs, and no signal handlers of its own unless asked (our entry points stop workers in order).
 */
export function installTemporalRuntime(level: LogLevel, { handleSignals = false } = {}): void {
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: { logging: { filter: { core: level, other: level } } },
    ...(handleSignals ? {} : { shutdownSignals: [] }),
  });
}
