import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

const RETRY_MS = 5;
const WAIT_MS = 10_000;
// A holder keeps the lock for one read-modify-write (milliseconds); one older than this died or hung.
const STALE_MS = 30_000;

/**
 * Runs `work` holding `<path>.lock`, a file created exclusively, so that processes on this machine
 * sharing a local store (the API and the worker, the CLI) take turns at its read-modify-write. A lock
 * left by a process that is gone, or held longer than any write takes, is taken over (two waiters
 * taking over one stale lock at once could both go on: that needs a crash mid-write first, and costs
 * at worst one lost write to a local file). The lock names its holder as `pid@host#nonce`: a pid is
 * only asked after on its own host, since containers sharing a volume each have their own pids, so a
 * holder on another host is waited for until its lock is stale; the nonce lets a holder release only
 * its own lock, not one taken over from it.
 */
export async function withFileLock<R>(path: string, work: () => Promise<R>): Promise<R> {
  const lock = `${path}.lock`;
  const holder = `${process.pid}@${hostname()}#${randomBytes(6).toString('hex')}`;
  const giveUp = Date.now() + WAIT_MS;
  await mkdir(dirname(path), { recursive: true });
  for (;;) {
    const handle = await open(lock, 'wx').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return undefined;
      throw err;
    });
    if (handle) {
      try {
        await handle.writeFile(holder);
      } finally {
        await handle.close();
      }
      break;
    }
    if (await isStale(lock)) {
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() > giveUp) throw new Error(`${lock} has been held for over ${WAIT_MS / 1000} s by another process`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  try {
    return await work();
  } finally {
    if ((await readFile(lock, 'utf8').catch(() => undefined)) === holder) await unlink(lock).catch(() => undefined);
  }
}

async function isStale(lock: string): Promise<boolean> {
  const [stats, text] = await Promise.all([
    stat(lock).catch(() => undefined),
    readFile(lock, 'utf8').catch(() => undefined),
  ]);
  if (!stats || text === undefined) return false; // released meanwhile: try again
  if (Date.now() - stats.mtimeMs > STALE_MS) return true;
  // An empty file is a holder between its create and its write.
  const [, pidText, host] = /^(\d+)(?:@([^#]*))?/.exec(text) ?? [];
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || (host !== undefined && host !== hostname())) return false;
  return !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
