import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A JSON document in a local file, for the embedded providers. Writes go to a temporary file renamed
 * over the original, so a reader (or a crash) never sees half a file; `exclusive` runs one
 * read-modify-write at a time within this process.
 */
export class JsonFile<T> {
  readonly exclusive = oneAtATime();

  constructor(readonly path: string) {}

  async read(): Promise<T | undefined> {
    const text = await readFile(this.path, 'utf8').catch(ifMissing(undefined));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new Error(`${this.path} is not valid JSON: ${(err as Error).message}`);
    }
  }

  async write(value: T): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(value, null, 2) + '\n');
    await rename(temporary, this.path);
  }
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
