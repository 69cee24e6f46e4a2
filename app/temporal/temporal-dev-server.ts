import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { SearchAttributeType } from '@temporalio/common';
import { incidentSearchAttributes } from '../../workflows/search-attributes.js';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  host: string;
  port: number;
  uiPort: number;
  ui: boolean;
  namespace: string;
  /** Where the server's own output goes; defaults to <dataDir>/temporal.log. */
  logFile?: string;
  /** Server limits to change (tests lower them to reach them quickly): `--dynamic-config-value K=V`. */
  dynamicConfig?: Record<string, number | string | boolean>;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
  /** SIGKILL now, for a shutdown out of time; nothing when the server has already exited. */
  kill(): void;
}

/** The CLI's names of the search attribute types (`--search-attribute`, `temporal operator search-attribute create --type`). */
export const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/**
 * Runs `temporal server start-dev` with its state in <dataDir>/temporal.sqlite, so incidents survive
 * restarts. A server left behind by a killed predecessor (its pid is in <dataDir>/temporal.pid) is
 * stopped first, since it would hold the port and the database.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  await mkdir(options.dataDir, { recursive: true });
  const pidFile = join(options.dataDir, 'temporal.pid');
  const killedLeftover = await stopLeftover(pidFile, options.cliPath);
  // A killed server closes its sockets a moment after it is gone from /proc's point of view.
  const portFree = await waitUntil(
    async () => !(await isListening(options.host, options.port)),
    killedLeftover ? 10_000 : 0,
  );
  if (!portFree) {
    throw new Error(
      `Port ${options.host}:${options.port} is already in use, so the embedded Temporal server cannot start. ` +
        'Stop what listens there, set TEMPORAL_DEV_SERVER_PORT to a free port, or set TEMPORAL_ADDRESS to use that server.',
    );
  }

  const args = [
    'server',
    'start-dev',
    '--db-filename',
    join(options.dataDir, 'temporal.sqlite'),
    '--ip',
    options.host,
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    // Write-ahead log, synced at checkpoints: survives a killed process (not a power cut) and takes writes
    // several times faster than the default rollback journal synced on every commit.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    ...(options.ui ? ['--ui-port', String(options.uiPort), '--ui-disable-news-fetch'] : ['--headless']),
    ...incidentSearchAttributes.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]),
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
  const logFd = openSync(options.logFile ?? join(options.dataDir, 'temporal.log'), 'a');
  const child = spawn(options.cliPath, args, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await writeFile(pidFile, `${child.pid}\n`);

  const address = `${options.host}:${options.port}`;
  const ready = await Promise.race([
    waitUntil(() => isListening(options.host, options.port), 60_000),
    exited.then(() => false),
  ]);
  if (!ready || child.exitCode !== null) {
    child.kill('SIGKILL');
    await rm(pidFile, { force: true });
    throw new Error(
      `The embedded Temporal server did not start on ${address}; see ${options.logFile ?? join(options.dataDir, 'temporal.log')}`,
    );
  }

  return {
    address,
    uiUrl: options.ui ? `http://${options.host}:${options.uiPort}` : undefined,
    pid: child.pid!,
    async stop() {
      await terminate(child, exited, 8_000);
      await rm(pidFile, { force: true });
    },
    kill() {
      // Through the child's handle, not its pid: once it has exited (and been reaped), kill() is a no-op
      // rather than ESRCH, or a signal to whatever process has its pid since.
      child.kill('SIGKILL');
    },
  };
}

async function terminate(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills a dev server that a killed predecessor left running; true when there was one. */
async function stopLeftover(pidFile: string, cliPath: string): Promise<boolean> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  await rm(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  // Only a process that is really our dev server: the pid may have been reused since.
  if (command.split('\0')[0] !== cliPath || !command.includes('start-dev')) return false;
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    return false; // it exited since /proc was read
  }
  return true;
}

export function isListening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
