// The product as a cluster user runs it: `npm start` twice with TEMPORAL_ADDRESS, against the full Temporal
// server (v1.32, PostgreSQL persistence, SQL visibility) that `npm run setup:cluster` starts
// (scripts/temporal-cluster.mjs). Each run works in namespaces of its own. The two instances share DATA_DIR
// (the local flag, ticket and notification files), as two workers on one host share a volume.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { addAndClose, call, declare, incident, killSwitchIs, settle } from './support/chaos-api.js';
import { flagChanges, resetFlag } from './support/chaos-effects.js';
import { SeededRandom, sleep } from './support/chaos-random.js';
import { AlertStorm } from './support/chaos-storm.js';
import { clusterSkip, clusterState, dropNamespace, freshNamespace } from './support/cluster.js';
import { playScenario, readBoth, SCENARIO_COUNTS, scenarioCounts } from './support/parity-scenario.js';
import { tempDir } from './support/paths.js';
import { assertOneIncidentPerGroup } from './support/two-instances.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitGroupGone, waitHealthy, type RunningProduct } from './support/product.js';

const skip = clusterSkip();
const cluster = clusterState()!;
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STORM = { groups: 6, alerts: Number(process.env.CLUSTER_STORM_ALERTS ?? 300), ms: 4_000 };

const started: RunningProduct[] = [];
function start(env: Record<string, string>): RunningProduct {
  const product = spawnProduct(env);
  started.push(product);
  return product;
}

describe(
  `a real Temporal cluster (${cluster?.version ?? 'not set up'}, PostgreSQL, SQL visibility): two instances`,
  { skip },
  () => {
    const env: Record<'a' | 'b', Record<string, string>> = { a: {}, b: {} };
    const products: Partial<Record<'a' | 'b', RunningProduct>> = {};
    let namespace: string;
    let parityNamespace: string;
    let dataDir: string;
    const url = (which: 'a' | 'b') => `http://127.0.0.1:${env[which].PORT}`;
    const restart = async (which: 'a' | 'b') => {
      products[which] = start(env[which]);
      await waitHealthy(products[which], 60_000);
    };

    before(async () => {
      [namespace, parityNamespace] = await Promise.all([
        freshNamespace(cluster, 'irp-test'),
        freshNamespace(cluster, 'irp-parity'),
      ]);
      dataDir = await tempDir('cluster-product');
      for (const which of ['a', 'b'] as const)
        env[which] = {
          DATA_DIR: dataDir,
          PORT: String(await freePort()),
          TEMPORAL_ADDRESS: cluster.address,
          TEMPORAL_NAMESPACE: namespace,
        };
      await Promise.all([restart('a'), restart('b')]);
      console.log(`cluster: ${cluster.address}, namespaces ${namespace} and ${parityNamespace}, seed ${SEED}`);
    });
    after(async () => {
      for (const product of started) if (product.groupAlive()) process.kill(-product.child.pid!, 'SIGKILL');
      for (const ns of [namespace, parityNamespace]) if (ns) await dropNamespace(cluster, ns).catch(() => undefined);
    });

    it('declares on one instance, approves on the other, resolves on the first; visibility on PostgreSQL lists it', async () => {
      await resetFlag(dataDir);
      const id = await declare(url('a'), 'Cluster: assistant answers in the wrong language');
      await killSwitchIs(url('b'), id, 'pending');
      const approved = await call(url('b'), 'POST', `/api/incidents/${id}/approvals`, {
        stepId: 'kill-switch',
        decision: 'approve',
        actor: 'alice',
      });
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      await killSwitchIs(url('a'), id, 'verified');
      const changes = (await flagChanges(dataDir)).filter((c) => c.idempotencyKey === `${id}/kill-switch` && c.changed);
      assert.equal(changes.length, 1, 'the flag changed once');
      const resolved = await call(url('a'), 'POST', `/api/incidents/${id}/resolve`, {
        actor: 'alice',
        summary: 'Locale fixed',
      });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));

      const state = await settle(
        () => incident(url('b'), id),
        (s) => s?.resolvedAt !== undefined,
      );
      assert.ok(state?.resolvedAt, 'resolved, as the other instance reads it');
      const connection = await Connection.connect({ address: cluster.address });
      try {
        const client = new Client({ connection, namespace });
        const query = `WorkflowId = '${id}' AND IncidentStatus = '${state.status}' AND IncidentSeverity = 'P2' AND IncidentCommander = 'alice'`;
        const listed = await settle(
          async () => (await client.workflow.count(query)).count,
          (n) => n === 1,
        );
        assert.equal(listed, 1, `SQL visibility finds it by its search attributes: ${query}`);
      } finally {
        await connection.close();
      }
      const list = (await call(url('b'), 'GET', '/api/incidents')).body as {
        incidents: { id: string; status: string }[];
      };
      assert.equal(list.incidents.find((i) => i.id === id)?.status, state.status, 'the list shows it as it is');
    });

    it('closes a corrective action added on the other instance, and its ticket', async () => {
      const id = await declare(url('b'), 'Cluster: retrieval returns stale documents');
      assert.ok(await addAndClose(url('a'), id, 'Cluster: reindex nightly'), 'added and closed');
      const state = await settle(
        () => incident(url('b'), id),
        (s) => s?.actions[0]?.status === 'closed',
      );
      const [action] = state!.actions;
      assert.deepEqual([action?.status, action?.endedBy, state?.actions.length], ['closed', 'carol', 1]);
      assert.ok(action?.ticket?.key, 'it had a ticket');
    });

    it(
      `an alert storm sent to both at random, one SIGKILLed midway: one incident per group, every accepted alert counted`,
      { timeout: 240_000 },
      async () => {
        const random = new SeededRandom(SEED);
        const storm = new AlertStorm(() => url(random.next() < 0.5 ? 'a' : 'b'), 0, STORM.groups, STORM.alerts);
        const done = storm.run(STORM.ms, 150_000);
        await sleep(random.between(0.3, 0.7) * STORM.ms);
        process.kill(-products.b!.child.pid!, 'SIGKILL');
        await waitGroupGone(products.b!, 10_000);
        const acceptedAtKill = storm.acceptedTotal;
        await done;
        await restart('b');
        assert.ok(
          acceptedAtKill > 0 && acceptedAtKill < STORM.alerts,
          `killed midway (${acceptedAtKill} accepted by then)`,
        );
        assert.equal(storm.acceptedTotal, STORM.alerts, 'every alert accepted in the end');
        await assertOneIncidentPerGroup(storm, url('a'), { address: cluster.address, namespace });
        console.log(
          `cluster: storm of ${STORM.alerts} alerts, ${storm.sent} sends, ${acceptedAtKill} accepted before the kill`,
        );
      },
    );

    it(
      'the only worker SIGKILLed mid-incident and started again: the incident carries on',
      { timeout: 180_000 },
      async () => {
        await stopProduct(products.b);
        await resetFlag(dataDir);
        const id = await declare(url('a'), 'Cluster: summaries invent citations');
        await killSwitchIs(url('a'), id, 'pending');
        process.kill(-products.a!.child.pid!, 'SIGKILL');
        await waitGroupGone(products.a!, 10_000);
        await restart('a');
        const approved = await call(url('a'), 'POST', `/api/incidents/${id}/approvals`, {
          stepId: 'kill-switch',
          decision: 'approve',
          actor: 'alice',
        });
        assert.equal(approved.status, 200, JSON.stringify(approved.body));
        const state = await killSwitchIs(url('a'), id, 'verified');
        assert.equal(state.title, 'Cluster: summaries invent citations');
        const changes = (await flagChanges(dataDir)).filter(
          (c) => c.idempotencyKey === `${id}/kill-switch` && c.changed,
        );
        assert.equal(changes.length, 1, 'the flag changed once');
        const resolved = await call(url('a'), 'POST', `/api/incidents/${id}/resolve`, {
          actor: 'alice',
          summary: 'Citations checked',
        });
        assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
        await restart('b');
      },
    );

    it(
      'the list, the KPIs and /metrics answer as on the dev server for the same incidents',
      { timeout: 300_000 },
      async () => {
        const devServer = start({
          DATA_DIR: await tempDir('cluster-parity-dev'),
          METRICS_REFRESH_SECONDS: '1',
          PORT: String(await freePort()),
          TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
          TEMPORAL_UI: 'off',
        });
        const onCluster = start({
          DATA_DIR: await tempDir('cluster-parity'),
          METRICS_REFRESH_SECONDS: '1',
          PORT: String(await freePort()),
          TEMPORAL_ADDRESS: cluster.address,
          TEMPORAL_NAMESPACE: parityNamespace,
        });
        await Promise.all([waitHealthy(devServer, 60_000), waitHealthy(onCluster, 60_000)]);
        const [devIds, clusterIds] = await Promise.all([playScenario(devServer.url), playScenario(onCluster.url)]);
        const [dev, onTheCluster] = await readBoth(
          { url: devServer.url, ids: devIds },
          { url: onCluster.url, ids: clusterIds },
          (side) => isDeepStrictEqual(scenarioCounts(side), SCENARIO_COUNTS),
        );
        await Promise.all([stopProduct(devServer), stopProduct(onCluster)]);
        assert.deepEqual(onTheCluster, dev);
        assert.deepEqual(
          scenarioCounts(dev),
          SCENARIO_COUNTS,
          'four incidents, one closed, one a repeat; one action closed on time, one waived',
        );
      },
    );
  },
);
