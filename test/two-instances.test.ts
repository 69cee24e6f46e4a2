// Two product processes against one Temporal dev server, as a cluster user runs them (dist/app/main.js
// with TEMPORAL_ADDRESS, one DATA_DIR shared as two workers on one host share a volume): alerts and
// approvals sent to both at random open one incident per alert group that counts every accepted alert,
// apply every approval once and change no flag twice, and the list, the KPIs and /metrics answer the
// same from either instance. The same scenarios run on a real cluster in test/cluster.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { temporalCliPath } from '../app/temporal/temporal-binaries.js';
import { startDevServer, type DevServer } from '../app/temporal/temporal-dev-server.js';
import { SeededRandom } from './support/chaos-random.js';
import { AlertStorm } from './support/chaos-storm.js';
import { readBoth, type ReadSide } from './support/parity-scenario.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';
import { approveOnBoth, assertOneIncidentPerGroup } from './support/two-instances.js';

const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STORM = { groups: 4, alerts: Number(process.env.TWO_INSTANCES_ALERTS ?? 120), ms: 3_000 };
const APPROVALS = { count: 3, racers: 3 };

let server: DevServer | undefined;
let dataDir: string;
const products: RunningProduct[] = [];
const urls = () => products.map((p) => p.url) as [string, string];

before(async () => {
  server = await startDevServer({
    cliPath: temporalCliPath(),
    dataDir: await tempDir('two-instances-temporal'),
    host: '127.0.0.1',
    port: await freePort(),
    uiPort: 0,
    ui: false,
    namespace: 'default',
  });
  dataDir = await tempDir('two-instances-product');
  for (let i = 0; i < 2; i++)
    products.push(
      spawnProduct({
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        TEMPORAL_ADDRESS: server.address,
        METRICS_REFRESH_SECONDS: '1',
      }),
    );
  await Promise.all(products.map((p) => waitHealthy(p, 60_000)));
  console.log(`two instances on ${server.address}, seed ${SEED} (CHAOS_SEED replays it)`);
});
after(async () => {
  await Promise.all(products.map((p) => stopProduct(p)));
  await server?.stop();
});

describe('two instances on one Temporal server, sent to at random', () => {
  const random = new SeededRandom(SEED);
  const approved: string[] = [];
  let storm: AlertStorm;

  it(
    `an alert storm of ${STORM.alerts} over ${STORM.groups} groups: one incident per group, every accepted alert counted`,
    { timeout: 120_000 },
    async () => {
      storm = new AlertStorm(() => urls()[random.next() < 0.5 ? 0 : 1], 0, STORM.groups, STORM.alerts);
      await storm.run(STORM.ms, 90_000);
      assert.equal(storm.acceptedTotal, STORM.alerts, 'every alert accepted');
      await assertOneIncidentPerGroup(storm, urls()[0], { address: server!.address });
      await assertOneIncidentPerGroup(storm, urls()[1], { address: server!.address });
    },
  );

  it(`approvals raced to both: each applied once, each flag changed once`, { timeout: 120_000 }, async () => {
    approved.push(...(await approveOnBoth(urls(), dataDir, random, APPROVALS)));
  });

  it('the list, the KPIs and /metrics answer the same from either instance', { timeout: 60_000 }, async () => {
    const everyIncident = STORM.groups + APPROVALS.count;
    const [a, b] = await readBoth(
      { url: urls()[0], ids: approved },
      { url: urls()[1], ids: approved },
      // /metrics serves its background refresh (every second here), which may trail /api/kpis by one.
      (side) => kpiTotal(side) === everyIncident && declaredInMetrics(side) === everyIncident,
    );
    assert.deepEqual(b, a);
    assert.equal(kpiTotal(a), everyIncident, 'every incident counted, once');
    assert.equal(declaredInMetrics(a), everyIncident, `/metrics counts them too: ${JSON.stringify(a.metrics)}`);
  });
});

const kpiTotal = (side: ReadSide) => (side.kpis as { incidents: { total: number } }).incidents.total;
const declaredInMetrics = (side: ReadSide) =>
  Object.entries(side.metrics)
    .filter(([key]) => key.startsWith('incident_incidents_declared'))
    .reduce((sum, [, value]) => sum + Number(value), 0);
