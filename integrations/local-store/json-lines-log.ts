import { open } from 'node:fs/promises';
import { ifMissing, oneAtATime } from './json-file.js';

const NEWLINE = 0x0a;

/**
 * What an append-only JSON Lines file holds, read incrementally: each call parses only the lines
 * appended since the previous call (by this process or another), so a check against a log of 100,000
 * lines costs what the new lines cost, not a read of the whole file. `keep` says what of each record is
 * held in memory (an idempotency key, say). A file that shrank or was replaced is read again from the
 * start; a last line still being written waits for the next call.
 */
export class JsonLinesLog<T, Kept = T> {
  private held: Kept[] = [];
  private offset = 0;
  private inode: number | undefined;
  private readonly oneRead = oneAtATime();

  constructor(
    readonly path: string,
    private readonly keep: (record: T) => Kept,
  ) {}

  /** Everything kept so far, oldest first; empty while the file does not exist. Do not modify it. */
  read(): Promise<readonly Kept[]> {
    return this.oneRead(() => this.catchUp());
  }

  private async catchUp(): Promise<readonly Kept[]> {
    const file = await open(this.path, 'r').catch(ifMissing(undefined));
    if (!file) {
      this.restart(undefined);
      return this.held;
    }
    try {
      const { size, ino } = await file.stat();
      if (ino !== this.inode || size < this.offset) this.restart(ino);
      if (size === this.offset) return this.held;
      const appended = Buffer.alloc(size - this.offset);
      const { bytesRead } = await file.read(appended, 0, appended.length, this.offset);
      const complete = appended.subarray(0, bytesRead).lastIndexOf(NEWLINE) + 1;
      const lines = appended.subarray(0, complete).toString('utf8').split('\n');
      const kept: Kept[] = [];
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          kept.push(this.keep(JSON.parse(line) as T));
        } catch (err) {
          throw new Error(`${this.path}: a line is not valid JSON (${(err as Error).message}): ${line.slice(0, 80)}`);
        }
      }
      // Only once every new line parsed: a bad line leaves the log where it was, to fail again, not skip it.
      for (const record of kept) this.held.push(record);
      this.offset += complete;
      return this.held;
    } finally {
      await file.close();
    }
  }

  private restart(inode: number | undefined) {
    this.held = [];
    this.offset = 0;
    this.inode = inode;
  }
}
