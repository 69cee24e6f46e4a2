import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { withFileLock } from './file-lock.js';

/**
 * A JSON document in a local file, for the embedded providers. Writes go to a temporary file renamed
 * over the original, so a reader (or a crash) never sees half a file; `exclusive` runs one
 * read-modify-write at a time, within this process and across the processes sharing the file (the
 * API and the worker, the CLI). With `keepParsed`, the parsed document is kept while the file stays
 * the one last read or written (same inode, size and mtime), so a read of a file of 10,000 tickets
 * costs a stat, not a parse; an edit by hand or by another process is read afresh.
 * A value read is then the kept one: its users change it only to write it straight after.
 */
export class JsonFile<T> {
  private readonly turns = oneAtATime();
  private kept: { version: string; value: T } | undefined;

  constructor(
    readonly path: string,
    private readonly options: { keepParsed?: boolean } = {},
  ) {}

  /** Runs one read-modify-write at a time, in this process and among the processes sharing the file. */
  exclusive<R>(work: () => Promise<R>): Promise<R> {
    return this.turns(() => withFileLock(this.path, work));
  }

  async read(): Promise<T | undefined> {
    if (!this.options.keepParsed) return this.parse();
    const stats = await stat(this.path).catch(ifMissing(undefined));
    if (!stats) return (this.kept = undefined);
    if (this.kept?.version === versionOf(stats)) return this.kept.value;
    const value = await this.parse();
    // Should the file have changed between the stat and the read, the next stat differs and reads it again.
    this.kept = value === undefined ? undefined : { version: versionOf(stats), value };
    return value;
  }

  async write(value: T): Promise<void> {
    this.kept = undefined;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(value, null, 2) + '\n');
    const written = this.options.keepParsed ? await stat(temporary) : undefined; // a rename keeps inode, size, mtime
    await rename(temporary, this.path);
    if (written) this.kept = { version: versionOf(written), value };
  }

  private async parse(): Promise<T | undefined> {
    const text = await readFile(this.path, 'utf8').catch(ifMissing(undefined));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${this.path} is not valid JSON: ${(err as Error).message}`);
    }
  }
}

function versionOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

/** Runs the work it is given one at a time, in call order, whether earlier work failed or not. */
export function oneAtATime(): <R>(work: () => Promise<R>) => Promise<R> {
  let queue: Promise<unknown> = Promise.resolve();
  return <R>(work: () => Promise<R>) => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
}

/** For `.catch`: a missing file reads as `fallback`; any other error stands. */
export function ifMissing<T>(fallback: T) {
  return (err: NodeJS.ErrnoException): T => {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  };
}

/** The records of a JSON Lines log, oldest first; none when the file does not exist yet. */
export async function readJsonLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(ifMissing(''));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}
