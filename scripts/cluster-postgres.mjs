// The PostgreSQL of the test cluster (scripts/temporal-cluster.mjs): Debian's server binaries, but a data
// directory of its own (initdb) on a port of its own, so it never touches the machine's `main` cluster on
// 5432 or its roles, and `rm -rf .temporal-cluster` undoes it all. PostgreSQL refuses to run as root, so
// as root it runs as the `postgres` user the Debian package creates.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PG_PORT = 17432;
export const PG_USER = 'temporal';
const asRoot = process.getuid?.() === 0;

/** The binaries of Debian's PostgreSQL: 15 (bookworm's) if there, else the newest; undefined without any. */
export function foundPostgresBinDir() {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  const usable = versions.filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
  const chosen = usable.includes('15') ? '15' : usable.sort((a, b) => Number(b) - Number(a))[0];
  return chosen && `/usr/lib/postgresql/${chosen}/bin`;
}

/** Debian's PostgreSQL, installed with apt-get when missing. */
export function postgresBinDir() {
  const found = foundPostgresBinDir;
  if (found()) return found();
  console.log('temporal-cluster: installing PostgreSQL from Debian (apt-get install postgresql)');
  const sudo = asRoot ? [] : ['sudo'];
  const apt = (args) =>
    execFileSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', 'postgresql']);
  if (!found()) throw new Error('apt-get installed postgresql, but no /usr/lib/postgresql/*/bin/initdb');
  return found();
}

/** Where the data lives: in the project, unless (as root) the postgres user cannot reach it there. */
export function dataDirFor(stateDir) {
  const local = join(stateDir, 'pgdata');
  if (!asRoot) return local;
  try {
    execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', stateDir]);
    return local;
  } catch {
    const id = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
    return `/var/lib/postgresql/temporal-cluster-${id}`;
  }
}

export class Postgres {
  constructor(bin, dataDir) {
    this.bin = bin;
    this.dataDir = dataDir;
    this.logFile = join(dataDir, 'postgres.log');
  }

  /** Runs a PostgreSQL program as the user that owns the data. */
  run(program, args, options = {}) {
    const command = join(this.bin, program);
    return asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], options)
      : execFileSync(command, args, options);
  }

  initialized() {
    return existsSync(join(this.dataDir, 'PG_VERSION'));
  }

  /** A new cluster whose superuser is PG_USER with `password`; connections only from 127.0.0.1, by password. */
  init(password) {
    rmSync(this.dataDir, { recursive: true, force: true });
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    if (asRoot) chownSync(this.dataDir, ...this.postgresIds());
    const pwfile = join(this.dataDir, '..', `.pwfile-${process.pid}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (asRoot) chownSync(pwfile, ...this.postgresIds());
    try {
      this.run(
        'initdb',
        ['-D', this.dataDir, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
    appendFileSync(
      join(this.dataDir, 'postgresql.conf'),
      [
        '\n# scripts/cluster-postgres.mjs',
        `port = ${PG_PORT}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${this.dataDir}'`,
        'max_connections = 200', // the four Temporal services hold up to 88
        '',
      ].join('\n'),
    );
  }

  running() {
    try {
      this.run('pg_ctl', ['-D', this.dataDir, 'status'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  start() {
    if (this.running()) return false;
    try {
      this.run('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', 'start'], { stdio: 'ignore' });
    } catch {
      throw new Error(`PostgreSQL did not start on 127.0.0.1:${PG_PORT} (port taken?); see ${this.logFile}`);
    }
    return true;
  }

  stop() {
    if (!this.running()) return false;
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop'], { stdio: 'ignore' });
    return true;
  }

  postgresIds() {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })));
    return [uid, gid];
  }
}
