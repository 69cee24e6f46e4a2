import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

const cliJs = join(repoRoot, 'dist', 'app', 'cli', 'incident.js');

export interface RunningProduct {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while any process of its process group (npm, node, the dev server) is alive. */
  groupAlive(): boolean;
  /** The node process that `npm start` runs. */
  mainPid(): number;
}

/** `npm start [-- args]` exactly as a user runs it, in a process group of its own. */
export function spawnProduct(env: Record<string, string>, args: string[] = []): RunningProduct {
  const child = spawn('npm', ['start', '--silent', ...(args.length ? ['--', ...args] : [])], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    url: `http://${env.HOST ?? '127.0.0.1'}:${env.PORT}`,
    output: () => output,
    exited,
    mainPid() {
      return Number(
        execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
          .trim()
          .split('\n')[0],
      );
    },
    groupAlive() {
      try {
        process.kill(-child.pid!, 0);
        return true;
      } catch {
        return false;
      }
    },
  };
}

export async function waitHealthy(product: RunningProduct, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  let exited = false;
  void product.exited.then(() => (exited = true));
  while (Date.now() - started < timeoutMs && !exited) {
    const status = await fetch(`${product.url}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not healthy after ${Date.now() - started} ms (exited: ${exited}):\n${product.output()}`);
}

/** For a suite's `after`: SIGTERM as a user would, then SIGKILL the group if it lingers. */
export async function stopProduct(product: RunningProduct | undefined): Promise<void> {
  if (!product?.groupAlive()) return;
  process.kill(product.child.pid!, 'SIGTERM');
  await waitGroupGone(product, 10_000).catch(() => process.kill(-product.child.pid!, 'SIGKILL'));
}

export async function waitGroupGone(product: RunningProduct, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (product.groupAlive()) {
    if (Date.now() - started > timeoutMs) throw new Error(`process group still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliJs, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
