// Where evidence snapshots are kept: content-addressed by their sha256, written once and never changed.
// The local store (beside the incident's other artefacts) is the embedded one; with EVIDENCE_S3_BUCKET
// set, an S3-compatible bucket is (./s3-store.ts). Both name files through ./content-address.ts, and
// both refuse to hand back content that no longer hashes to its name.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, relative, resolve, sep } from 'node:path';
import { contentKey, verified } from './content-address.js';

export interface EvidenceStore {
  /** Stores `content` under its sha256 (hex) and says where: `local:<path>`, `s3://bucket/key`. Storing it again is a no-op. */
  put(sha256: string, content: Buffer): Promise<{ location: string }>;
  /** The content at a location `put` returned; throws, naming the location, if it no longer hashes to its sha256. */
  get(location: string): Promise<Buffer>;
}

/** Files under `<dataDir>/evidence/sha256/<first two hex>/<sha256>.json`, each written to a temporary file and renamed. */
export class LocalEvidenceStore implements EvidenceStore {
  constructor(private readonly dataDir: string) {}

  pathOf(sha256: string): string {
    return join(this.dataDir, 'evidence', contentKey(sha256));
  }

  async put(sha256: string, content: Buffer): Promise<{ location: string }> {
    const path = this.pathOf(sha256);
    const location = `local:${relative(this.dataDir, path)}`;
    if (
      await stat(path).then(
        () => true,
        () => false,
      )
    )
      return { location };
    await mkdir(join(path, '..'), { recursive: true });
    const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, path);
    return { location };
  }

  async get(location: string): Promise<Buffer> {
    if (!location.startsWith('local:')) throw new Error(`evidence ${location}: not a location in the local store`);
    const path = resolve(this.dataDir, location.slice('local:'.length));
    if (!path.startsWith(join(resolve(this.dataDir), 'evidence') + sep))
      throw new Error(`evidence ${location}: outside the local store`);
    return verified(location, await readFile(path));
  }
}
