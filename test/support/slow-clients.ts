// Clients that cost a server what an attacker's would: headers, then part of a body, then a trickle or
// nothing, over raw sockets so that nothing is buffered or completed on our side. Used by
// test/limits.test.ts and scripts/bench-limits.mjs.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

export interface SlowRequest {
  path: string;
  headers?: Record<string, string>;
  /** The Content-Length announced. */
  declaredLength: number;
  /** Body bytes sent at once after the headers. */
  sendBytes: number;
  /** Then one more byte every this many ms, as a slowloris does; none when unset. */
  trickleEveryMs?: number;
  /** Headers sent one line every this many ms and never finished; overrides the body. */
  headerLineEveryMs?: number;
  /** Give up (destroy the socket ourselves) after this long. */
  holdMs: number;
}

export interface SlowResult {
  /** The status the server answered with; undefined when it closed without answering. */
  status: number | undefined;
  /** Whether the server ended the connection (rather than us after holdMs). */
  closedByServer: boolean;
  afterMs: number;
  /** The socket error seen, if any (a reset after the answer is expected), and the bytes received. */
  error?: string;
  received: number;
}

export function slowClient(port: number, request: SlowRequest): Promise<SlowResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    let closedByUs = false;
    let error: string | undefined;
    const socket = connect(port, '127.0.0.1');
    const head = [
      `POST ${request.path} HTTP/1.1`,
      'host: 127.0.0.1',
      'content-type: application/json',
      `content-length: ${request.declaredLength}`,
      ...Object.entries(request.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.once('connect', () => {
      if (request.headerLineEveryMs) {
        let line = 0;
        timer = setInterval(
          () => socket.writable && socket.write(`${head[line++ % head.length]}\r\n`),
          request.headerLineEveryMs,
        );
        return;
      }
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
      if (request.sendBytes) socket.write(filler(request.sendBytes));
      if (request.trickleEveryMs)
        timer = setInterval(() => socket.writable && socket.write(' '), request.trickleEveryMs);
    });
    const hold = setTimeout(() => {
      closedByUs = true;
      socket.destroy();
    }, request.holdMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    // A reset after the server's answer is the point, not a failure; it is kept to explain a missing answer.
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.once('close', () => {
      clearInterval(timer);
      clearTimeout(hold);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({
        status: status ? Number(status) : undefined,
        closedByServer: !closedByUs,
        afterMs: Date.now() - started,
        ...(error ? { error } : {}),
        received: answer.length,
      });
    });
  });
}

const fillers = new Map<number, Buffer>();
/** One buffer of spaces per size, shared by every client: the test process holds it once. */
function filler(size: number): Buffer {
  const buffer = fillers.get(size) ?? Buffer.alloc(size, 0x20);
  fillers.set(size, buffer);
  return buffer;
}

/** Resident set size of a process, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** The highest RSS of `pid` while `work` runs, sampled every 25 ms. */
export async function peakRssDuring(pid: number, work: () => Promise<unknown>): Promise<number> {
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 25);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, rssMiB(pid));
}
