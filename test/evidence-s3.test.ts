// The S3 evidence store against a real S3 API: moto's server from PyPI (`npm run setup:s3`), with its IAM-like
// access control on, so every request's SigV4 signature is checked against the one access key it knows.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createEvidenceActivities } from '../activities/evidence.js';
import { loadServerConfig } from '../app/config.js';
import { selectEvidence } from '../app/providers.js';
import { sha256Hex } from '../integrations/evidence/content-address.js';
import { S3EvidenceStore } from '../integrations/evidence/s3-store.js';
import { LocalEvidenceStore } from '../integrations/evidence/store.js';
import { LocalFileFlagProvider } from '../integrations/flags/local-file.js';
import { LocalFileModelRegistry } from '../integrations/model-registry/local-file.js';
import { tempDir } from './support/paths.js';
import { motoBinary, motoInstalled, startS3Server, type S3Server } from './support/s3-server.js';

const skip =
  motoInstalled || process.env.CI === 'true'
    ? false
    : `moto is not installed at ${motoBinary}: run \`npm run setup:s3\` (CI does)`;

describe('S3 evidence store (a real S3 API: moto from PyPI, SigV4 checked)', { skip }, () => {
  let s3: S3Server;
  let store: S3EvidenceStore;
  let raw: S3Client;

  before(async () => {
    s3 = await startS3Server();
    const options = { endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials };
    store = new S3EvidenceStore({ bucket: s3.bucket, ...options });
    raw = new S3Client({ ...options, forcePathStyle: true });
  });
  after(async () => {
    store?.destroy();
    raw?.destroy();
    await s3?.stop();
  });

  const snapshot = (text: string) => {
    const content = Buffer.from(`${JSON.stringify({ items: [text] })}\n`);
    return { content, hash: sha256Hex(content) };
  };
  const object = async (location: string) => {
    const key = location.slice(`s3://${s3.bucket}/`.length);
    const answer = await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from(await answer.Body!.transformToByteArray());
  };

  it('stores a snapshot under evidence/sha256/ab/<sha256>.json and reads the same bytes back', async () => {
    const { content, hash } = snapshot('round trip');
    const { location } = await store.put(hash, content);
    assert.equal(location, `s3://${s3.bucket}/evidence/sha256/${hash.slice(0, 2)}/${hash}.json`);
    assert.deepEqual(await store.get(location), content);
    assert.deepEqual(await object(location), content, 'the bucket holds exactly the bytes');
  });

  it('writes once: a second put is a no-op and the first object stays', async () => {
    const { content, hash } = snapshot('written once');
    const first = await store.put(hash, content);
    const key = first.location.slice(`s3://${s3.bucket}/`.length);
    const before = await raw.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    assert.deepEqual(await store.put(hash, content), first);
    // Even different bytes under the name cannot replace it: If-None-Match: * is refused (412) before anything is written.
    assert.deepEqual(await store.put(hash, Buffer.from('{"items":["replaced"]}\n')), first);
    const after = await raw.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    assert.equal(after.ETag, before.ETag);
    assert.deepEqual(await object(first.location), content);
  });

  it('refuses to read back an object altered in the bucket, naming its location', async () => {
    const { content, hash } = snapshot('altered later');
    const { location } = await store.put(hash, content);
    await raw.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: location.slice(`s3://${s3.bucket}/`.length),
        Body: Buffer.from('{"items":["tampered"]}\n'),
      }),
    );
    await assert.rejects(store.get(location), (err: Error) => {
      assert.ok(err.message.includes(location), err.message);
      assert.match(err.message, /was altered: its content hashes to sha256 [0-9a-f]{64}, not the/);
      return true;
    });
    await assert.rejects(store.get('s3://another-bucket/evidence/x.json'), /not in bucket incident-evidence/);
  });

  it('is refused with a wrong secret key or an unknown key id, and the error holds neither credential', async () => {
    const { content, hash } = snapshot('wrong credentials');
    const wrongSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY0';
    const attempts = [
      { code: 'SignatureDoesNotMatch', accessKeyId: s3.credentials.accessKeyId, secretAccessKey: wrongSecret },
      {
        code: 'InvalidAccessKeyId',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: s3.credentials.secretAccessKey,
      },
    ];
    for (const { code, ...credentials } of attempts) {
      const wrong = new S3EvidenceStore({ bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region, credentials });
      try {
        await assert.rejects(wrong.put(hash, content), (err: Error) => {
          const expected = `evidence ${store.locationOf(hash)}: PutObject failed: ${code} (HTTP 403)`;
          assert.ok(err.message.startsWith(expected), err.message);
          for (const secret of [credentials.secretAccessKey, credentials.accessKeyId, s3.credentials.secretAccessKey])
            assert.ok(!err.message.includes(secret), `no credential in: ${err.message}`);
          return true;
        });
      } finally {
        wrong.destroy();
      }
    }
    // The right key is held to its IAM policy too: this user may write only to its own bucket.
    const elsewhere = new S3EvidenceStore({ ...s3, bucket: 'someone-elses-bucket' });
    await assert.rejects(elsewhere.put(hash, content), /PutObject failed: AccessDenied \(HTTP 403\)/);
    elsewhere.destroy();
    await assert.rejects(
      raw.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: store.keyOf(hash) })),
      /NotFound/,
      'nothing was written',
    );
  });

  it("stores the evidence activity's snapshot in the bucket: its location is s3://…, its bytes hash to its sha256", async () => {
    const dataDir = await tempDir('evidence-s3');
    await writeFile(
      join(dataDir, 'models.json'),
      JSON.stringify({ models: { 'assistant-chat': { versions: ['1', '2'], aliases: { champion: '2' } } } }),
    );
    const { captureEvidence } = createEvidenceActivities({
      flags: new LocalFileFlagProvider(join(dataDir, 'flags.json')),
      models: new LocalFileModelRegistry(join(dataDir, 'models.json')),
      store,
    });
    const taken = await captureEvidence({
      incidentId: 'INC-S3TST',
      stepId: 'rollback',
      moment: 'before-change',
      target: { type: 'model', model: 'assistant-chat', alias: 'champion' },
      sources: [],
      triage: [{ id: 'scope', title: 'Scope' }],
    });
    assert.equal(taken.status, 'captured', taken.reason);
    assert.equal(taken.location, store.locationOf(taken.sha256!));
    assert.match(taken.location, /^s3:\/\/incident-evidence\/evidence\/sha256\//);
    const file = JSON.parse((await store.get(taken.location)).toString('utf8'));
    assert.equal(file.incidentId, 'INC-S3TST');
    assert.equal(
      JSON.parse(file.items.find((i: { kind: string }) => i.kind === 'provider-state').content).version,
      '2',
    );
  });
});

describe('S3 evidence store: configuration', () => {
  it('is selected only when EVIDENCE_S3_BUCKET is set, with its prefix, endpoint and region', () => {
    assert.ok(selectEvidence(loadServerConfig({})) instanceof LocalEvidenceStore);
    assert.ok(selectEvidence(loadServerConfig({ EVIDENCE_S3_BUCKET: '' })) instanceof LocalEvidenceStore);
    const chosen = selectEvidence(loadServerConfig({ EVIDENCE_S3_BUCKET: 'acme-evidence' }));
    assert.ok(chosen instanceof S3EvidenceStore);
    assert.equal(chosen.locationOf('a'.repeat(64)), `s3://acme-evidence/evidence/sha256/aa/${'a'.repeat(64)}.json`);
    chosen.destroy();
    const config = loadServerConfig({
      EVIDENCE_S3_BUCKET: 'acme-evidence',
      EVIDENCE_S3_PREFIX: 'incidents/prod',
      EVIDENCE_S3_ENDPOINT: 'http://127.0.0.1:9000',
      AWS_REGION: 'eu-west-1',
    });
    assert.equal(config.AWS_REGION, 'eu-west-1');
    const prefixed = selectEvidence(config) as S3EvidenceStore;
    assert.equal(prefixed.keyOf('b'.repeat(64)), `incidents/prod/sha256/bb/${'b'.repeat(64)}.json`);
    prefixed.destroy();
    assert.throws(
      () => loadServerConfig({ EVIDENCE_S3_BUCKET: 'Not_A_Bucket' }),
      /EVIDENCE_S3_BUCKET=.*S3 bucket name/,
    );
    assert.throws(
      () => loadServerConfig({ EVIDENCE_S3_BUCKET: 'b-1', EVIDENCE_S3_ENDPOINT: 'nope' }),
      /EVIDENCE_S3_ENDPOINT/,
    );
  });
});
