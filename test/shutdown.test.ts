import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually } from './support/eventually.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import {
  runCli,
  spawnProduct,
  stopProduct,
  waitGroupGone,
  waitHealthy,
  type RunningProduct,
} from './support/product.js';

const started: RunningProduct[] = [];
after(async () => {
  for (const product of started) await stopProduct(product);
});

async function startProduct(extra: Record<string, string> = {}) {
  const env = {
    DATA_DIR: await tempDir('incident-shutdown'),
    PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
    TEMPORAL_UI: 'off',
    ...extra,
  };
  const product = spawnProduct(env);
  started.push(product);
  await waitHealthy(product, 30_000);
  return { product, env };
}

/** SIGKILLs the embedded dev server (its pid is in <DATA_DIR>/temporal.pid) and waits until it is gone. */
async function killDevServer(dataDir: string): Promise<void> {
  const pid = Number((await readFile(join(dataDir, 'temporal.pid'), 'utf8')).trim());
  process.kill(pid, 'SIGKILL');
  await eventually(
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    Boolean,
    'the dev server gone',
  );
}

const uncaught = /ESRCH|Uncaught|node:internal|^\s+at /m;

describe('stopping the product after its dev server died', () => {
  it('SIGTERM: exits 0, with no uncaught error', async () => {
    const { product, env } = await startProduct();
    await killDevServer(env.DATA_DIR);
    process.kill(product.child.pid!, 'SIGTERM');
    const { code } = await product.exited;
    assert.equal(code, 0, product.output());
    assert.doesNotMatch(product.output(), uncaught);
    await waitGroupGone(product, 5_000);
  });

  it('SIGTERM while a page hangs: out of time, it exits 1 saying so, not with ESRCH from killing the dead server', async () => {
    // A PagerDuty that accepts the connection and never answers: the page activity ignores
    // cancellation, so the worker cannot drain and the shutdown runs out of its budget.
    const held: Socket[] = [];
    const pagerDuty = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => pagerDuty.listen(0, '127.0.0.1', resolve));
    try {
      const port = (pagerDuty.address() as { port: number }).port;
      const { product, env } = await startProduct({
        PAGERDUTY_ROUTING_KEY: 'R0123456789ABCDEF0123456789ABCDE',
        PAGERDUTY_EVENTS_SERVER: `127.0.0.1:${port}`,
      });
      const declared = await runCli(
        ['declare', 'Assistant leaks a system prompt', '--category', 'other', '--severity', 'p1', '--as', 'alice'],
        { INCIDENT_API_URL: product.url },
      );
      assert.equal(declared.code, 0, declared.stderr);
      await eventually(
        () => held.length,
        (n) => n > 0,
        'the page in flight',
        20_000,
      );
      await killDevServer(env.DATA_DIR);

      const signalled = Date.now();
      process.kill(product.child.pid!, 'SIGTERM');
      const { code } = await product.exited;
      assert.equal(code, 1, product.output());
      assert.match(product.output(), /shutdown took too long; exiting/);
      assert.doesNotMatch(product.output(), uncaught);
      assert.ok(Date.now() - signalled < 15_000, 'within the shutdown budget');
      await waitGroupGone(product, 5_000);
    } finally {
      for (const socket of held) socket.destroy();
      pagerDuty.close();
    }
  });
});
