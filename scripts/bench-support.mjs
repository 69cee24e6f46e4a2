// What the benchmark scripts share.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the product the way `npm start` does, with its node flags, and without npm in between: the start
 * script execs node, so the child's pid is the product's (the benches read its RSS and CPU from /proc).
 */
export function spawnProduct(root, env) {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return spawn('sh', ['-c', scripts.start], { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' });
}

/** A port free on 127.0.0.1 right now. */
export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/**
 * POSTs JSON over a keep-alive connection pool and resolves with the status and parsed body. The load
 * generator shares this machine's two cores with what it measures, and fetch costs it about three times
 * the CPU per request that node:http does, so senders use this.
 */
export function postJson(agent, url, body) {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          let parsed;
          try {
            parsed = JSON.parse(answer);
          } catch {
            parsed = answer;
          }
          resolve({ status: response.statusCode, body: parsed });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

/** Resolves once the product at `base` answers /healthz with 200, polling every `everyMs`. */
export async function waitHealthy(base, everyMs = 100) {
  while (
    (await fetch(`${base}/healthz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  )
    await sleep(everyMs);
}
