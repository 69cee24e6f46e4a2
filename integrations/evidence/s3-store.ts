// Evidence in an S3-compatible bucket (AWS S3, MinIO, R2, moto): `s3://<bucket>/<prefix>sha256/ab/<sha256>.json`.
// Written once: PutObject with If-None-Match: * (the bucket refuses to replace an object, 412, so a second
// put of the same snapshot is a no-op and an altered one cannot overwrite the first), and with its
// x-amz-checksum-sha256 so the bucket itself refuses bytes that do not hash to the name. Read back, the
// content is hashed again. Credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID…, a profile,
// an instance role) and never appear in an error.
import { GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { redact } from '../redaction/redact.js';
import { contentKey, verified } from './content-address.js';
import type { EvidenceStore } from './store.js';

export interface S3EvidenceOptions {
  bucket: string;
  /** Before `sha256/…` in every key; `evidence/` unless set ('' for the bucket's root). */
  prefix?: string;
  /** An S3-compatible endpoint (MinIO, R2, moto); path-style addressing is used with one. AWS when unset. */
  endpoint?: string;
  region?: string;
  /** Explicit credentials (tests); the SDK's default chain otherwise. */
  credentials?: S3ClientConfig['credentials'];
}

export class S3EvidenceStore implements EvidenceStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;

  constructor(options: S3EvidenceOptions) {
    this.bucket = options.bucket;
    const prefix = options.prefix ?? 'evidence/';
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where S3 requires them, and ours (x-amz-checksum-sha256) on every put: S3-compatible
      // servers differ in the CRC checksums the SDK would otherwise add, and our own hash is checked on read.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Inside the activity's 30 s: a connection in 5 s, an answer in 10 s, three attempts.
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
      maxAttempts: 3,
    });
  }

  keyOf(sha256: string): string {
    return `${this.prefix}${contentKey(sha256)}`;
  }

  locationOf(sha256: string): string {
    return `s3://${this.bucket}/${this.keyOf(sha256)}`;
  }

  async put(sha256: string, content: Buffer): Promise<{ location: string }> {
    const key = this.keyOf(sha256);
    const location = `s3://${this.bucket}/${key}`;
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: content,
          ContentType: 'application/json',
          IfNoneMatch: '*',
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
        }),
      );
    } catch (err) {
      // Already there: written once, by us or by an earlier attempt of this very put.
      if (statusOf(err) === 412) return { location };
      throw await this.failure('PutObject', location, err);
    }
    return { location };
  }

  async get(location: string): Promise<Buffer> {
    const start = `s3://${this.bucket}/`;
    if (!location.startsWith(start)) throw new Error(`evidence ${location}: not in bucket ${this.bucket}`);
    const key = location.slice(start.length);
    let content: Buffer;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      content = Buffer.from(await answer.Body!.transformToByteArray());
    } catch (err) {
      throw await this.failure('GetObject', location, err);
    }
    return verified(location, content);
  }

  destroy(): void {
    this.client.destroy();
  }

  /** What went wrong, by the S3 error code and HTTP status; credentials (ours, from whichever source) removed. */
  private async failure(operation: string, location: string, err: unknown): Promise<Error> {
    const status = statusOf(err);
    const name = err instanceof Error ? err.name : 'Error';
    let message = err instanceof Error ? err.message : String(err);
    const credentials = await Promise.resolve(this.client.config.credentials()).catch(() => undefined);
    for (const value of [credentials?.secretAccessKey, credentials?.sessionToken, credentials?.accessKeyId])
      if (value) message = message.split(value).join('[credential]');
    return new Error(
      `evidence ${location}: ${operation} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${redact(message)}`,
    );
  }
}

const statusOf = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
