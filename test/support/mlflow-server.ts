// A real MLflow tracking server (PyPI `mlflow`, installed into .mlflow/ by `npm run setup:mlflow`) with a
// SQLite backend in a temporary directory, on 127.0.0.1, in a process group of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from './paths.js';
import { freePort } from './ports.js';

export const mlflowBinary = process.env.MLFLOW_SERVER_BIN ?? join(repoRoot, '.mlflow', 'bin', 'mlflow');
export const mlflowInstalled = existsSync(mlflowBinary);

export interface MlflowServer {
  url: string;
  /** A call to the server's REST API, as a test sets models up. */
  api<T = any>(verb: 'GET' | 'POST' | 'DELETE', method: string, body?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export async function startMlflowServer(): Promise<MlflowServer> {
  const dir = await tempDir('mlflow');
  const port = await freePort();
  const child: ChildProcess = spawn(
    mlflowBinary,
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'mlflow.db')}`,
      '--default-artifact-root',
      join(dir, 'artifacts'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (
    !(await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() - started > 90_000) {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`MLflow did not start in ${Date.now() - started} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async api(verb, method, body) {
      const response = await fetch(`${url}/api/2.0/mlflow/${method}`, {
        method: verb,
        ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`MLflow ${method}: ${response.status} ${text}`);
      return JSON.parse(text);
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
