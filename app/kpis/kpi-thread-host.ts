// The KPI projection in a worker thread of its own (kpi-thread.ts), as the product runs it: the event
// loop that answers requests and scrapes only passes messages and sends the text it gets back. A
// thread that stops (an uncaught error) is started again, empty, by the next refresh; until that
// refresh the requests list visibility themselves, as before the first one.
import { Worker } from 'node:worker_threads';
import type { RefreshReport } from './kpi-projection.js';
import type { KpiAnswers, KpiText } from './kpi-answers.js';
import type { KpiThreadData, KpiThreadReply, KpiThreadRequest } from './kpi-thread-protocol.js';

type Request = KpiThreadRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class KpiThread implements KpiAnswers {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(
    private readonly data: KpiThreadData,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  refresh(): Promise<RefreshReport | undefined> {
    return this.call({ op: 'refresh' }) as Promise<RefreshReport | undefined>;
  }

  async text(...[window, now, format]: Parameters<KpiAnswers['text']>): Promise<KpiText | undefined> {
    if (!this.worker) return undefined;
    return this.call({ op: 'text', window, now: now.getTime(), format }) as Promise<KpiText | undefined>;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.rejectPending(new Error('the KPI thread was closed'));
    await worker?.terminate();
  }

  private call(request: Request): Promise<unknown> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./kpi-thread.js', import.meta.url), { workerData: this.data });
    worker.unref(); // it never keeps the process alive
    worker.on('message', (reply: KpiThreadReply) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) pending?.resolve(reply.value);
      else pending?.reject(new Error(reply.error));
    });
    const stopped = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.rejectPending(err);
      this.onError(err);
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the KPI thread stopped (exit code ${code})`)));
    return worker;
  }

  private rejectPending(err: Error): void {
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }
}
