import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An answer other than 2xx, with the `{error, details}` body every 4xx carries. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: FieldProblem[] = [],
    /** Sent with the answer, e.g. `www-authenticate`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The default body limit of a route (Route.maxBodyBytes). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Past this many times the limit, an oversized body is not even drained: the connection is dropped. */
const DRAINED_FACTOR = 16;

/**
 * The body, at most `limit` bytes. A Content-Length over the limit is refused before a byte is read;
 * a chunked body is counted as it comes, and what goes past the limit is read and dropped (so the
 * sender gets the 413 instead of a reset connection), up to 16 times the limit.
 */
/**
 * The bytes of all request bodies held at once, across connections. Clients whose credentials only
 * look right (a signature is checked over the body, so the body must be read) could otherwise hold
 * the body limit each; past the budget a body is refused with 503 and the sender retries.
 */
export class BodyBudget {
  private held = 0;

  constructor(readonly bytes = 32 * MAX_BODY_BYTES) {}

  take(n: number): boolean {
    if (this.held + n > this.bytes) return false;
    this.held += n;
    return true;
  }

  give(n: number): void {
    this.held -= n;
  }
}

const sharedBudget = new BodyBudget();

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES, budget = sharedBudget): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, declared);
  const chunks: Buffer[] = [];
  let size = 0;
  let held = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        if (size > DRAINED_FACTOR * limit) req.destroy();
        continue;
      }
      if (!budget.take((chunk as Buffer).length)) {
        throw new HttpError(503, 'Too many request bodies are being received at once: retry shortly', [], {
          'retry-after': '2',
        });
      }
      held += (chunk as Buffer).length;
      chunks.push(chunk as Buffer);
    }
  } finally {
    budget.give(held);
  }
  if (size > limit) throw tooLarge(limit, size);
  return Buffer.concat(chunks);
}

const tooLarge = (limit: number, size: number) =>
  new HttpError(413, `Body larger than ${limit} bytes (${size} sent)`, [
    { field: '(body)', message: `larger than ${limit} bytes` },
  ]);

export function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `Body is not valid JSON: ${(err as Error).message}`, [
      { field: '(body)', message: 'not valid JSON' },
    ]);
  }
}

/** Validates with zod; a failure becomes a 400 whose message and details name each bad field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  throw new HttpError(400, `Invalid request: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A JSON answer's text, as every route sends it. */
export const jsonText = (body: unknown): string => JSON.stringify(body, null, 2) + '\n';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = jsonText(body);
  res.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A query string validated with zod: a 400 names each bad or unknown parameter. */
export function parseQuery<S extends z.ZodObject>(schema: S, query: URLSearchParams): z.infer<S> {
  const result = schema.strict().safeParse(Object.fromEntries(query));
  if (result.success) return result.data as z.infer<S>;
  const details = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: key, message: 'is not a parameter of this route' }))
      : [{ field: issue.path.length ? issue.path.join('.') : '(query)', message: issue.message }],
  );
  throw new HttpError(400, `Invalid query: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
}
