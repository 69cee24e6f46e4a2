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
  ) {
    super(message);
  }
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** Past this, an oversized body is not even drained: the connection is dropped. */
const MAX_DRAINED_BYTES = 16 * MAX_BODY_BYTES;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Read (and drop) the rest, so the sender gets the 413 instead of a reset connection.
    if (size > MAX_BODY_BYTES) {
      if (size > MAX_DRAINED_BYTES) req.destroy();
      continue;
    }
    chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES)
    throw new HttpError(413, `Body larger than ${MAX_BODY_BYTES} bytes (${size} sent)`, [
      { field: '(body)', message: `larger than ${MAX_BODY_BYTES} bytes` },
    ]);
  return Buffer.concat(chunks);
}

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

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
