// `incident inbox`: the local notification inbox (DATA_DIR/notifications.jsonl), where every message
// goes that no channel is configured for: oldest first, newest last; `--follow` keeps printing what
// arrives, as `tail -f` would.
import { open, stat } from 'node:fs/promises';
import type { LoggedNotification } from '../../integrations/notify/local-log.js';

export interface InboxOptions {
  file: string;
  follow: boolean;
  json: boolean;
  /** Only the last N messages already there. */
  last?: number;
  write: (text: string) => void;
  /** Ends --follow. */
  signal?: AbortSignal;
  pollMs?: number;
}

/** Terminal control sequences in a message (it may quote an alert or a description) are not replayed to the terminal. */
const CONTROL = /(?![\n\t])\p{Cc}/gu;

export function formatInboxEntry(n: Partial<LoggedNotification>): string {
  const clean = (text: unknown) => (typeof text === 'string' ? text.replace(CONTROL, '') : '');
  const head = `${clean(n.at)}  ${clean(Array.isArray(n.audience) ? n.audience.join(', ') : '')}  ${clean(n.incidentId)}: ${clean(n.subject)}`;
  const body = clean(n.text)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `    ${line}`);
  return [head, ...body].join('\n');
}

export async function inboxCommand(options: InboxOptions): Promise<number> {
  const show = (line: string) => {
    let entry: Partial<LoggedNotification>;
    try {
      entry = JSON.parse(line) as Partial<LoggedNotification>;
    } catch {
      return; // a line being written, or not ours
    }
    options.write(`${options.json ? JSON.stringify(entry) : formatInboxEntry(entry)}\n`);
  };
  let offset = 0;
  let partial = '';
  const readNew = async (): Promise<string[]> => {
    const size = await stat(options.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size < offset) [offset, partial] = [0, '']; // the inbox was replaced
    if (size === offset) return [];
    const handle = await open(options.file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(size - offset), 0, size - offset, offset);
      offset += bytesRead;
      const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      return lines.filter((line) => line.trim() !== '');
    } finally {
      await handle.close();
    }
  };

  const existing = await readNew();
  const shown = options.last === undefined ? existing : existing.slice(-options.last);
  for (const line of shown) show(line);
  if (!options.follow) {
    if (existing.length === 0) options.write(`The inbox ${options.file} is empty.\n`);
    return 0;
  }
  const pollMs = options.pollMs ?? 500;
  while (!options.signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    for (const line of await readNew()) show(line);
  }
  return 0;
}
