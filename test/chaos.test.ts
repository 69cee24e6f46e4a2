// npm run test:chaos (CHAOS_TRIALS=20; 3 in `npm test`): an alert storm with an approval and an action
// closure in flight, and at a random moment one of: a SIGKILL of the node process (API and worker;
// the dev server is left behind and replaced on restart), a SIGKILL of the whole process tree, or a
// SIGKILL of the Temporal dev server alone (then the product is stopped and started, as it does not
// restart its server itself). The product is started again on the same DATA_DIR and ports; every alert
// not accepted is sent again. Nothing accepted may be lost, and no side effect may happen twice
// (test/support/chaos-effects.ts says what a duplicate is). CHAOS_SEED replays a run.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { IncidentState } from '../workflows/types.js';
import { addAndClose, approve, call, field, incident, incidentTitles, settle } from './support/chaos-api.js';
import { countDuplicates, flagChanges, resetFlag } from './support/chaos-effects.js';
import { readGroup } from './support/chaos-readings.js';
import { SeededRandom, sleep } from './support/chaos-random.js';
import { AlertStorm } from './support/chaos-storm.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitGroupGone, waitHealthy, type RunningProduct } from './support/product.js';

const TRIALS = Number(process.env.CHAOS_TRIALS ?? 3);
const SEED = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
const GROUPS = 5;
const ALERTS = Number(process.env.CHAOS_ALERTS ?? 200);
const STORM_MS = 4_000;
const KILLS = ['worker', 'tree', 'temporal'] as const;
type Kill = (typeof KILLS)[number];
type Env = Record<'DATA_DIR' | 'PORT' | 'TEMPORAL_DEV_SERVER_PORT' | 'TEMPORAL_UI_PORT', string>;

const started: RunningProduct[] = [];
after(() => {
  for (const product of started) if (product.groupAlive()) process.kill(-product.child.pid!, 'SIGKILL');
});

function start(env: Env): RunningProduct {
  const product = spawnProduct(env);
  started.push(product);
  return product;
}

async function kill(kind: Kill, product: RunningProduct, env: Env): Promise<RunningProduct> {
  if (kind === 'worker') {
    process.kill(product.mainPid(), 'SIGKILL');
    await product.exited;
  } else if (kind === 'tree') {
    process.kill(-product.child.pid!, 'SIGKILL');
    await waitGroupGone(product, 10_000);
  } else {
    process.kill(Number(await readFile(join(env.DATA_DIR, 'temporal.pid'), 'utf8')), 'SIGKILL');
    await stopProduct(product);
  }
  const next = start(env);
  await waitHealthy(next, 60_000);
  return next;
}

describe('chaos: kills during an alert storm with approvals and action closures', () => {
  it(
    `${TRIALS} trials lose nothing accepted and repeat no side effect`,
    { timeout: 120_000 + TRIALS * 90_000 },
    async () => {
      const random = new SeededRandom(SEED);
      const env: Env = {
        DATA_DIR: await tempDir('incident-chaos'),
        PORT: String(await freePort()),
        TEMPORAL_DEV_SERVER_PORT: String(await freePort()),
        TEMPORAL_UI_PORT: String(await freePort()),
      };
      const url = `http://127.0.0.1:${env.PORT}`;
      console.log(`chaos: seed ${SEED} (CHAOS_SEED=${SEED} replays it), ${TRIALS} trials, DATA_DIR ${env.DATA_DIR}`);
      let product = start(env);
      await waitHealthy(product, 60_000);
      const figures = {
        seed: SEED,
        trials: 0,
        kills: { worker: 0, tree: 0, temporal: 0 },
        alertsSent: 0,
        alertsAccepted: 0,
        incidentsLost: 0,
        incidentsDuplicated: 0,
        approvalsNotApplied: 0,
        actionsNotClosed: 0,
        duplicates: { flagChanges: 0, tickets: 0, notifications: 0, pages: 0 },
      };

      for (let trial = 0; trial < TRIALS; trial++) {
        await resetFlag(env.DATA_DIR);
        const answer = await call(url, 'POST', '/api/incidents', {
          title: `Chaos trial ${trial}`,
          category: 'other',
          severity: 'P1',
          declaredBy: 'alice',
        });
        // 202 when the kills of the trial before left no worker polling yet; the incident starts when one does.
        assert.ok([201, 202].includes(answer.status), JSON.stringify(answer.body));
        const id = field(answer.body, 'id') as string;
        const ready = await settle(
          () => incident(url, id),
          (s) => s?.steps.find((step) => step.id === 'kill-switch')?.status === 'pending',
        );
        assert.equal(
          ready?.steps.find((step) => step.id === 'kill-switch')?.status,
          'pending',
          `${id} awaits approval`,
        );

        const storm = new AlertStorm(url, trial, GROUPS, ALERTS);
        const stormDone = storm.run(STORM_MS, 120_000);
        const approved = sleep(random.between(0, STORM_MS)).then(() => approve(url, id));
        const closed = sleep(random.between(0, STORM_MS)).then(() => addAndClose(url, id, `Chaos action ${trial}`));
        await sleep(random.between(0.2, 0.9) * STORM_MS);
        const kind = random.pick(KILLS);
        figures.kills[kind]++;
        product = await kill(kind, product, env);
        await stormDone;
        assert.ok(await approved, `trial ${trial}: the approval went through`);
        assert.ok(await closed, `trial ${trial}: the action was closed`);

        figures.trials++;
        figures.alertsSent += storm.sent;
        figures.alertsAccepted += storm.acceptedTotal;
        for (const group of storm.groups) {
          const accepted = storm.accepted.get(group)!;
          const reading = await settle(
            () => readGroup(url, { address: `127.0.0.1:${env.TEMPORAL_DEV_SERVER_PORT}` }, group),
            (r) => r.intakeReceived >= accepted && r.incidentReceived >= accepted && r.incidents === 1,
          );
          if (reading.intakeReceived < accepted || reading.incidentReceived < accepted || reading.incidents === 0) {
            figures.incidentsLost++;
            console.log(
              `chaos: trial ${trial} (${kind}) lost ${group}: ${accepted} accepted, ${JSON.stringify(reading)}`,
            );
          }
          figures.incidentsDuplicated += Math.max(0, reading.incidents - 1);
        }
        const applied = await settle(
          async () =>
            (await flagChanges(env.DATA_DIR)).filter((c) => c.changed && c.idempotencyKey === `${id}/kill-switch`),
          (changes) => changes.length > 0,
        );
        if (applied.length === 0) figures.approvalsNotApplied++;
        const action = (await incident(url, id))?.actions.find((a) => a.title === `Chaos action ${trial}`);
        if (action?.status !== 'closed') figures.actionsNotClosed++;
        console.log(
          `chaos: trial ${trial} ${kind}: ${storm.acceptedTotal}/${storm.alerts} accepted after ${storm.sent} sends`,
        );
      }

      const states: IncidentState[] = [];
      for (const { id } of await incidentTitles(url)) {
        const state = await incident(url, id);
        if (state) states.push(state);
      }
      const serverLog = started.map((p) => p.output()).join('\n');
      const { duplicates, seen } = await countDuplicates(env.DATA_DIR, serverLog, states);
      Object.assign(figures, { duplicates, sideEffectsSeen: seen });
      console.log(`chaos: ${JSON.stringify(figures)}`);
      await stopProduct(product);

      assert.equal(figures.alertsAccepted, TRIALS * ALERTS, 'every alert was accepted in the end');
      assert.deepEqual(
        {
          lost: figures.incidentsLost,
          duplicated: figures.incidentsDuplicated,
          approvalsNotApplied: figures.approvalsNotApplied,
          actionsNotClosed: figures.actionsNotClosed,
          ...figures.duplicates,
        },
        {
          lost: 0,
          duplicated: 0,
          approvalsNotApplied: 0,
          actionsNotClosed: 0,
          flagChanges: 0,
          tickets: 0,
          notifications: 0,
          pages: 0,
        },
      );
    },
  );
});
