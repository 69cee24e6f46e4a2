// The Temporal server of the test cluster (scripts/temporal-cluster.mjs): built from the Go module proxy,
// its PostgreSQL schemas applied with the module's own `sql` tool, its configuration derived from the
// module's development-postgres12.yaml, and the process itself, in the background with its log in a file.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { PG_PORT, PG_USER } from './cluster-postgres.mjs';

export const TEMPORAL_VERSION = 'v1.32.2';
/** The server needs a newer Go than Debian's; the go command fetches this toolchain from the module proxy. */
const GO_TOOLCHAIN = 'go1.27.3';
const goEnv = { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN };

/**
 * Away from the dev servers the tests start (random ports from the kernel's ephemeral range, 32768 and up)
 * and from `npm start`'s 7233/8233, and from a default Temporal install's 7233-7239 and 6933-6939.
 */
export const PORTS = {
  frontend: 17233,
  http: 17243,
  history: 17234,
  matching: 17235,
  worker: 17239,
  membership: { frontend: 16933, history: 16934, matching: 16935, worker: 16939 },
  metrics: 17290,
};

/** `go install`s the server and the sql tool into binDir unless both are already this version; true when built. */
export function ensureBinaries(binDir) {
  const version = (binary) => {
    try {
      return execFileSync(join(binDir, binary), ['--version'], { encoding: 'utf8' });
    } catch {
      return '';
    }
  };
  const wanted = TEMPORAL_VERSION.slice(1);
  if (version('server').includes(wanted) && version('sql').includes(wanted)) return false;
  console.log(`temporal-cluster: go install go.temporal.io/server ${TEMPORAL_VERSION} (a few minutes the first time)`);
  try {
    execFileSync(
      'go',
      [
        'install',
        `go.temporal.io/server/cmd/server@${TEMPORAL_VERSION}`,
        `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_VERSION}`,
      ],
      { stdio: 'inherit', env: { ...goEnv, GOBIN: binDir } },
    );
  } catch (err) {
    if (err.code === 'ENOENT')
      throw new Error(
        `no \`go\` command: install Go 1.21 or later (it fetches ${GO_TOOLCHAIN} from the module proxy itself)`,
      );
    throw err;
  }
  return true;
}

/** The module's source in the Go module cache, for its schemas and configuration (downloaded again if cleaned). */
export function moduleDir() {
  const dir = join(
    execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8', env: goEnv }).trim(),
    `go.temporal.io/server@${TEMPORAL_VERSION}`,
  );
  if (!existsSync(dir))
    execFileSync('go', ['mod', 'download', `go.temporal.io/server@${TEMPORAL_VERSION}`], {
      stdio: 'inherit',
      env: goEnv,
    });
  return dir;
}

/**
 * Creates the two databases and applies the versioned schemas. `stampFile` records the version applied, so a
 * warm start skips this and a newer server only runs `update-schema`. The tool's output goes to `logFile`.
 */
export function applySchemas({ sqlBin, module, password, stampFile, logFile }) {
  const applied = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;
  if (applied === TEMPORAL_VERSION) return false;
  const log = openSync(logFile, 'a', 0o600);
  try {
    for (const [database, schema] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ]) {
      const sql = (...args) =>
        execFileSync(
          sqlBin,
          [
            '--plugin',
            'postgres12',
            '--ep',
            '127.0.0.1',
            '-p',
            String(PG_PORT),
            '-u',
            PG_USER,
            '--db',
            database,
            ...args,
          ],
          { env: { ...process.env, SQL_PASSWORD: password }, stdio: ['ignore', log, log] },
        );
      if (!applied) {
        sql('create-database');
        sql('setup-schema', '-v', '0.0');
      }
      sql('update-schema', '-d', join(module, 'schema', 'postgresql', 'v12', schema, 'versioned'));
    }
  } catch (err) {
    throw new Error(`applying the schemas failed (${err.message.split('\n')[0]}); see ${logFile}`);
  } finally {
    closeSync(log);
  }
  writeFileSync(stampFile, `${TEMPORAL_VERSION}\n`);
  return true;
}

/** The module's development-postgres12.yaml on our ports and database; owner-only, as it holds the password. */
export function writeConfig({ module, configDir, password }) {
  const source = join(module, 'config');
  const config = YAML.parse(readFileSync(join(source, 'development-postgres12.yaml'), 'utf8'));
  for (const store of Object.values(config.persistence.datastores))
    Object.assign(store.sql, { connectAddr: `127.0.0.1:${PG_PORT}`, user: PG_USER, password });
  config.global.pprof.port = 0; // off
  config.global.metrics.prometheus.listenAddress = `127.0.0.1:${PORTS.metrics}`;
  for (const service of ['frontend', 'history', 'matching', 'worker'])
    Object.assign(config.services[service].rpc, {
      grpcPort: PORTS[service],
      membershipPort: PORTS.membership[service],
      bindOnLocalHost: true,
    });
  config.services.frontend.rpc.httpPort = PORTS.http;
  config.clusterMetadata.clusterInformation.active.rpcAddress = `127.0.0.1:${PORTS.frontend}`;
  const dynamicConfig = join(configDir, 'dynamicconfig.yaml');
  copyFileSync(join(source, 'dynamicconfig', 'development-sql.yaml'), dynamicConfig);
  writeFileSync(
    dynamicConfig,
    readFileSync(dynamicConfig, 'utf8').replaceAll('localhost:7243', `127.0.0.1:${PORTS.http}`),
  );
  config.dynamicConfigClient.filepath = dynamicConfig;
  const file = join(configDir, 'temporal.yaml');
  rmSync(file, { force: true });
  writeFileSync(file, YAML.stringify(config), { mode: 0o600 });
  return file;
}

/** The pid in pidFile if that process is still our server (a pid may be reused); undefined otherwise. */
export function serverPid(pidFile, serverBin) {
  const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '');
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const command = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  return command.split('\0')[0] === serverBin ? pid : undefined;
}

/** True when something accepts connections on 127.0.0.1:port. */
export function portInUse(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts the server in the background (it outlives this script); its pid, or undefined if it was running. */
export function startServer({ serverBin, configFile, logFile, pidFile }) {
  if (serverPid(pidFile, serverBin)) return undefined;
  const log = openSync(logFile, 'a', 0o600);
  const child = spawn(serverBin, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  writeFileSync(pidFile, `${child.pid}\n`);
  return child.pid;
}

/** SIGTERM, then SIGKILL after `graceMs`; true when there was a server to stop. */
export async function stopServer({ serverBin, pidFile }, graceMs = 15_000) {
  const pid = serverPid(pidFile, serverBin);
  rmSync(pidFile, { force: true });
  if (!pid) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGKILL');
  return true;
}
