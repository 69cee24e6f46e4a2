#!/usr/bin/env node
// A real Temporal cluster on 127.0.0.1 for the cluster tests (test/cluster.test.ts): the full Temporal server
// built from the Go module proxy, PostgreSQL persistence and SQL visibility (Debian's PostgreSQL), the
// `default` namespace and the product's search attributes. Everything lives in .temporal-cluster/.
//
//   node scripts/temporal-cluster.mjs start               installs what is missing, starts, writes state.json
//   node scripts/temporal-cluster.mjs stop                stops the server and PostgreSQL
//   node scripts/temporal-cluster.mjs status              exit 0 when the cluster answers
//   node scripts/temporal-cluster.mjs search-attributes   the `temporal operator` commands a cluster needs
//
// `npm run setup:cluster` is `start`; CI runs it. Idempotent: a warm start only starts what is not running.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { dataDirFor, foundPostgresBinDir, PG_PORT, Postgres, postgresBinDir } from './cluster-postgres.mjs';
import {
  applySchemas,
  ensureBinaries,
  moduleDir,
  portInUse,
  PORTS,
  serverPid,
  startServer,
  stopServer,
  TEMPORAL_VERSION,
  writeConfig,
} from './cluster-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, '.temporal-cluster');
const paths = {
  bin: join(dir, 'bin'),
  password: join(dir, 'postgres-password'),
  schemaStamp: join(dir, 'schema-version'),
  schemaLog: join(dir, 'schema.log'),
  serverLog: join(dir, 'server.log'),
  pidFile: join(dir, 'server.pid'),
  state: join(dir, 'state.json'),
};
const serverBin = join(paths.bin, 'server');
const address = `127.0.0.1:${PORTS.frontend}`;
const NAMESPACE = 'default';
const RETENTION_DAYS = 30;

/** The product's own code, built: the search attributes come from there, never from a copy. */
async function built() {
  const setup = new URL('../dist/app/temporal/namespace-setup.js', import.meta.url);
  if (!existsSync(setup)) {
    console.error('temporal-cluster: dist/ is not built; run `npm run build` (npm ci does) first');
    process.exit(2);
  }
  const [namespaces, attributes, devServer] = await Promise.all([
    import(setup.href),
    import(new URL('../dist/workflows/search-attributes.js', import.meta.url).href),
    import(new URL('../dist/app/temporal/temporal-dev-server.js', import.meta.url).href),
  ]);
  return { ...namespaces, keys: attributes.incidentSearchAttributes, cliTypeNames: devServer.CLI_TYPE_NAMES };
}

function password() {
  if (!existsSync(paths.password))
    writeFileSync(paths.password, randomBytes(18).toString('base64url'), { mode: 0o600 });
  return readFileSync(paths.password, 'utf8').trim();
}

async function connect(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      if (!serverPid(paths.pidFile, serverBin)) throw new Error(`the Temporal server exited; see ${paths.serverLog}`);
      if (Date.now() > deadline)
        throw new Error(`no Temporal frontend on ${address} (${err.message}); see ${paths.serverLog}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function start() {
  const started = Date.now();
  const product = await built();
  mkdirSync(paths.bin, { recursive: true });
  const steps = [];
  if (ensureBinaries(paths.bin)) steps.push('built the server');
  const module = moduleDir();
  const postgres = new Postgres(postgresBinDir(), dataDirFor(dir));
  if (!postgres.initialized() || !existsSync(paths.password)) {
    rmSync(paths.password, { force: true });
    rmSync(paths.schemaStamp, { force: true });
    postgres.init(password());
    steps.push(`initialised PostgreSQL in ${postgres.dataDir}`);
  }
  if (postgres.start()) steps.push(`started PostgreSQL on 127.0.0.1:${PG_PORT}`);
  const secret = password();
  if (
    applySchemas({
      sqlBin: join(paths.bin, 'sql'),
      module,
      password: secret,
      stampFile: paths.schemaStamp,
      logFile: paths.schemaLog,
    })
  )
    steps.push('applied the schemas');
  const configFile = writeConfig({ module, configDir: dir, password: secret });
  if (!serverPid(paths.pidFile, serverBin) && (await portInUse(PORTS.frontend)))
    throw new Error(
      `127.0.0.1:${PORTS.frontend} is taken by another process (a cluster started from another checkout? stop it with its own \`node scripts/temporal-cluster.mjs stop\`)`,
    );
  if (startServer({ serverBin, configFile, logFile: paths.serverLog, pidFile: paths.pidFile }))
    steps.push(`started Temporal ${TEMPORAL_VERSION}`);
  const connection = await connect(120_000);
  try {
    const created = await product.ensureNamespace(connection, NAMESPACE, RETENTION_DAYS);
    if (created) steps.push(`created namespace ${NAMESPACE}`);
    const added = await product.ensureSearchAttributes(connection, NAMESPACE, product.keys);
    if (added.length) steps.push(`registered ${added.join(', ')}`);
    if (created || added.length) await product.waitForSearchAttributes(connection, NAMESPACE, product.keys);
  } finally {
    await connection.close();
  }
  const state = {
    address,
    namespace: NAMESPACE,
    version: TEMPORAL_VERSION,
    persistence: `postgres12 (PostgreSQL on 127.0.0.1:${PG_PORT}, data in ${postgres.dataDir})`,
    visibility: 'postgres12 (SQL visibility, database temporal_visibility)',
    searchAttributes: product.keys.map((key) => key.name),
    serverLog: paths.serverLog,
    pid: serverPid(paths.pidFile, serverBin),
  };
  writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`);
  const took = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`temporal-cluster: ${steps.length ? steps.join('; ') : 'already running'} (${took} s)`);
  console.log(
    `temporal-cluster: Temporal ${TEMPORAL_VERSION} on ${address}, namespace ${NAMESPACE}; log ${paths.serverLog}`,
  );
}

async function stop() {
  rmSync(paths.state, { force: true });
  const stoppedServer = await stopServer({ serverBin, pidFile: paths.pidFile });
  const bin = foundPostgresBinDir();
  const postgres = bin && new Postgres(bin, dataDirFor(dir));
  const stoppedPostgres = postgres?.initialized() && postgres.stop();
  console.log(
    `temporal-cluster: ${[stoppedServer && 'stopped Temporal', stoppedPostgres && 'stopped PostgreSQL'].filter(Boolean).join(', ') || 'nothing was running'}`,
  );
}

async function status() {
  const state = existsSync(paths.state) ? JSON.parse(readFileSync(paths.state, 'utf8')) : undefined;
  if (!state || !serverPid(paths.pidFile, serverBin)) {
    console.log('temporal-cluster: not running (`node scripts/temporal-cluster.mjs start`)');
    process.exit(1);
  }
  const connection = await connect(5_000);
  const { serverVersion } = await connection.workflowService.getClusterInfo({});
  await connection.close();
  console.log(`temporal-cluster: Temporal ${serverVersion} on ${state.address}\n${JSON.stringify(state, null, 2)}`);
}

/** For the README: what an operator runs once per namespace on a cluster of their own. */
async function searchAttributeCommands() {
  const { keys, cliTypeNames } = await built();
  for (const key of keys)
    console.log(
      `temporal operator search-attribute create --namespace default --name ${key.name} --type ${cliTypeNames[key.type]}`,
    );
}

const commands = { start, stop, status, 'search-attributes': searchAttributeCommands };
const command = commands[process.argv[2]];
if (!command) {
  console.error(`usage: node scripts/temporal-cluster.mjs ${Object.keys(commands).join('|')}`);
  process.exit(2);
}
try {
  await command();
} catch (err) {
  console.error(`temporal-cluster: ${err.message}`);
  process.exit(1);
}
