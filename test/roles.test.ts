// The API and the worker as separate processes on one Temporal server (`npm start -- --role worker`,
// ROLE=api), as a cluster user runs them: the API takes declarations and approvals while the worker
// process runs them, the API answers lists and KPIs while no worker runs, a new worker carries an
// incident on, and each process's /healthz and /metrics tell what it runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporalCliPath } from '../app/temporal/temporal-binaries.js';
import { startDevServer, type DevServer } from '../app/temporal/temporal-dev-server.js';
import { approve, call, declare, field, killSwitchIs, settle } from './support/chaos-api.js';
import { flagChanges } from './support/chaos-effects.js';
import { repoRoot, tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitGroupGone, waitHealthy, type RunningProduct } from './support/product.js';

let server: DevServer | undefined;
let dataDir: string;
let api: RunningProduct | undefined;
let worker: RunningProduct | undefined;

const env = async () => ({
  DATA_DIR: dataDir,
  PORT: String(await freePort()),
  TEMPORAL_ADDRESS: server!.address,
  METRICS_REFRESH_SECONDS: '1',
});

before(async () => {
  server = await startDevServer({
    cliPath: temporalCliPath(),
    dataDir: await tempDir('roles-temporal'),
    host: '127.0.0.1',
    port: await freePort(),
    uiPort: 0,
    ui: false,
    namespace: 'default',
  });
  dataDir = await tempDir('roles-product');
  worker = spawnProduct(await env(), ['--role', 'worker']);
  await waitHealthy(worker, 60_000);
  api = spawnProduct({ ...(await env()), ROLE: 'api' });
  await waitHealthy(api, 60_000);
});
after(async () => {
  await Promise.all([stopProduct(api), stopProduct(worker)]);
  await server?.stop();
});

describe('the API and the worker in separate processes', () => {
  it('each says what it runs: the API no worker, the worker no API', { timeout: 60_000 }, async () => {
    assert.match(api!.output(), /Role +api: the workers run in other processes/);
    assert.match(worker!.output(), /Role +worker: runs the incident workflows/);
    const health = await settle(
      () => call(api!.url, 'GET', '/healthz'),
      (answer) => field(field(answer.body, 'worker'), 'polling') === true,
    );
    assert.equal(health.status, 200);
    assert.ok(Number(field(field(health.body, 'worker'), 'pollers')) >= 1, JSON.stringify(health.body));
    const workerHealth = await call(worker!.url, 'GET', '/healthz');
    assert.equal(field(field(workerHealth.body, 'worker'), 'state'), 'RUNNING');
    assert.equal((await call(worker!.url, 'GET', '/api/incidents')).status, 404, 'the worker serves no API');
    assert.equal((await call(worker!.url, 'POST', '/api/incidents', {})).status, 404);

    const workerMetrics = String((await call(worker!.url, 'GET', '/metrics')).body);
    assert.match(workerMetrics, /^nodejs_eventloop_lag_p99_seconds /m, 'process metrics');
    assert.match(workerMetrics, /^temporal_worker_task_slots_available\{/m, "the worker's own");
    assert.doesNotMatch(workerMetrics, /^incident_kpi_/m, 'no KPIs: those are the API’s');
    const apiMetrics = String((await call(api!.url, 'GET', '/metrics')).body);
    assert.match(apiMetrics, /^incident_kpi_data_age_seconds /m);
    assert.doesNotMatch(apiMetrics, /^temporal_worker_task_slots_available/m, 'no worker in the API process');
  });

  it('declared and approved through the API, run by the worker process', { timeout: 90_000 }, async () => {
    const id = await declare(api!.url, 'Roles: declared on the API');
    await killSwitchIs(api!.url, id, 'pending');
    assert.ok(await approve(api!.url, id), 'approved through the API');
    await killSwitchIs(api!.url, id, 'verified');
    const changes = (await flagChanges(dataDir)).filter((c) => c.idempotencyKey === `${id}/kill-switch` && c.changed);
    assert.equal(changes.length, 1, 'the worker process changed the flag, once');
  });

  it(
    'the worker process killed mid-incident: the API lists on, a new worker carries the incident on',
    { timeout: 120_000 },
    async () => {
      const id = await declare(api!.url, 'Roles: the worker dies mid-incident');
      await killSwitchIs(api!.url, id, 'pending');
      process.kill(-worker!.child.pid!, 'SIGKILL');
      await waitGroupGone(worker!, 10_000);
      const listed = await call(api!.url, 'GET', '/api/incidents');
      assert.ok(
        (field(listed.body, 'incidents') as { id: string }[]).some((incident) => incident.id === id),
        'listed from visibility, with no worker running',
      );
      assert.equal((await call(api!.url, 'GET', '/api/kpis')).status, 200, 'the KPIs need no worker either');
      worker = spawnProduct(await env(), ['--role=worker']);
      await waitHealthy(worker, 60_000);
      const approved = await call(api!.url, 'POST', `/api/incidents/${id}/approvals`, {
        stepId: 'kill-switch',
        decision: 'approve',
        actor: 'alice',
      });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      await killSwitchIs(api!.url, id, 'verified');
    },
  );

  it('a role without TEMPORAL_ADDRESS is refused before anything starts', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [join(repoRoot, 'dist/app/main.js'), '--role', 'api'],
        { env: { ...process.env, TEMPORAL_ADDRESS: '', DATA_DIR: dataDir } },
        (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    assert.equal(code, 2);
    assert.match(stderr, /ROLE=api: .*set TEMPORAL_ADDRESS/);
    assert.match(stderr, /Nothing was started/);
  });
});
