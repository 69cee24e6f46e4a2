// A real S3-compatible server: moto's (PyPI `moto[server]`, installed into .moto/ by `npm run setup:s3`), on
// 127.0.0.1 in a process group of its own. Moto accepts any credentials until its IAM-like access control is
// on, so the server is set up first (an IAM user with an S3 policy and an access key, the bucket), then
// POST /moto-api/reset-auth with 0 makes every later request prove its SigV4 signature with that key.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from './paths.js';
import { freePort } from './ports.js';

export const motoBinary = process.env.MOTO_SERVER_BIN ?? join(repoRoot, '.moto', 'bin', 'moto_server');
export const motoInstalled = existsSync(motoBinary);

export interface S3Server {
  endpoint: string;
  bucket: string;
  region: string;
  /** The IAM user's key: the only one the server accepts once started. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

const REGION = 'us-east-1';

export async function startS3Server(bucket = 'incident-evidence'): Promise<S3Server> {
  const dir = await tempDir('moto');
  const port = await freePort();
  const child: ChildProcess = spawn(motoBinary, ['-H', '127.0.0.1', '-p', String(port)], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const endpoint = `http://127.0.0.1:${port}`;
  const kill = () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  };
  const started = Date.now();
  while (
    !(await fetch(`${endpoint}/moto-api/data.json`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (spawnError)
      throw new Error(`moto could not be started (${motoBinary}: run \`npm run setup:s3\`): ${spawnError.message}`);
    if (child.exitCode !== null || Date.now() - started > 60_000) {
      kill();
      throw new Error(`moto did not start in ${Date.now() - started} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    // Before access control is on, moto routes a request by the service its Authorization header's scope names
    // and does not check the signature.
    const unsigned = (service: string) => ({
      authorization: `AWS4-HMAC-SHA256 Credential=setup/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    });
    const iam = async (params: Record<string, string>) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { ...unsigned('iam'), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ Version: '2010-05-08', ...params }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`moto IAM ${params.Action}: ${response.status} ${text}`);
      return text;
    };
    await iam({ Action: 'CreateUser', UserName: 'evidence-writer' });
    await iam({
      Action: 'PutUserPolicy',
      UserName: 'evidence-writer',
      PolicyName: 'evidence',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${bucket}/*` },
        ],
      }),
    });
    const key = await iam({ Action: 'CreateAccessKey', UserName: 'evidence-writer' });
    const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(key)?.[1];
    const credentials = { accessKeyId: field('AccessKeyId')!, secretAccessKey: field('SecretAccessKey')! };
    const created = await fetch(`${endpoint}/${bucket}`, { method: 'PUT', headers: unsigned('s3') });
    if (!created.ok) throw new Error(`moto CreateBucket: ${created.status} ${await created.text()}`);
    const auth = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    if (!auth.ok) throw new Error(`moto reset-auth: ${auth.status} ${await auth.text()}`);
    return {
      endpoint,
      bucket,
      region: REGION,
      credentials,
      async stop() {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid!, 'SIGTERM');
        const timer = setTimeout(kill, 5_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (err) {
    kill();
    throw err;
  }
}
