// Where evidence snapshots are kept: beside the incident's other artefacts, content-addressed by their
// sha256, written once and never changed. The local store is the embedded one; an S3-compatible bucket
// would be another EvidenceStore (not built: the interface is the seam).
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';

export interface EvidenceStore {
  /** Stores `content` under its sha256 (hex) and says where: `local:<path>`, `s3://bucket/key`. Storing it again is a no-op. */
  put(sha256: string, content: Buffer): Promise<{ location: string }>;
}

/** Files under `<dataDir>/evidence/sha256/<first two hex>/<sha256>.json`, each written to a temporary file and renamed. */
export class LocalEvidenceStore implements EvidenceStore {
  constructor(private readonly dataDir: string) {}

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('an evidence file is named by its sha256 (64 hex digits)');
    return join(this.dataDir, 'evidence', 'sha256', sha256.slice(0, 2), `${sha256}.json`);
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
}
