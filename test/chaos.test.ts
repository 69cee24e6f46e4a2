// npm run test:chaos (CHAOS_TRIALS=20; 3 in `npm test`): an alert storm with an approval and an action
// closure in flight, and at a random moment one of: a SIGKILL of the node process (API and worker;
// the dev server is left behind and replaced on restart), a SIGKILL of the whole process tree, or a
// SIGKILL of the Temporal dev server alone (then the product is stopped and started, as it does not
// restart its server itself). The product is started again on the same DATA_DIR and ports; every alert
// not accepted is sent again. Nothing accepted may be lost, and no side effect may happen twice
// (test/support/chaos-effects.ts says what a duplicate is). CHAOS_SEED replays a run.
import assert from 'node:assert/strict';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { alertIntakeWorkflowId } from '../app/alerts/routing.js';
import { alertGroupQuery } from '../workflows/messages.js';
import type { IncidentState } from '../workflows/types.js';
import { call, field } from './support/chaos-api.js';
import { countDuplicates, flagChanges } from './support/chaos-effects.js';
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

/** Tries `attempt` until it says done, through the product's restarts; false at the deadline. */
async function untilDone(attempt: () => Promise<boolean>, deadlineMs = 90_000): Promise<boolean> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (await attempt()) return true;
    await sleep(300);
  }
  return false;
}

async function incident(url: string, id: string): Promise<IncidentState | undefined> {
  const answer = await call(url, 'GET', `/api/incidents/${id}`);
  return answer.status === 200 ? (answer.body as IncidentState) : undefined;
}

async function incidentTitles(url: string): Promise<{ id: string; title: string; open: boolean }[]> {
  const answer = await call(url, 'GET', '/api/incidents?status=all');
  return (field(answer.body, 'incidents') ?? []) as { id: string; title: string; open: boolean }[];
}

/** The kill-switch approval of the generic runbook: applied once the answer is 200, or 409 "not pending". */
function approve(url: string, id: string): Promise<boolean> {
  return untilDone(async () => {
    const answer = await call(url, 'POST', `/api/incidents/${id}/approvals`, {
      stepId: 'kill-switch',
      decision: 'approve',
      actor: 'alice',
    });
    return answer.status === 200 || (answer.status === 409 && /not pending/.test(JSON.stringify(answer.body)));
  });
}

/** Adds an action (unless an earlier try did and its answer was lost in a kill), then closes it as its owner. */
async function addAndClose(url: string, id: string, title: string): Promise<boolean> {
  let actionId: string | undefined;
  const added = await untilDone(async () => {
    const listed = await call(url, 'GET', `/api/incidents/${id}/actions`);
    if (listed.status !== 200) return false;
    const actions = field(listed.body, 'actions') as { id: string; title: string }[];
    actionId = actions.find((a) => a.title === title)?.id;
    if (actionId) return true;
    const answer = await call(url, 'POST', `/api/incidents/${id}/actions`, {
      actor: 'alice',
      kind: 'detect',
      title,
      owner: 'carol',
    });
    if (answer.status === 201) actionId = field(answer.body, 'id') as string;
    return answer.status === 201;
  });
  return (
    added &&
    untilDone(async () => {
      const answer = await call(url, 'POST', `/api/incidents/${id}/actions/${actionId}/close`, { actor: 'carol' });
      return answer.status === 200 || answer.status === 409;
    })
  );
}

async function resetFlag(dataDir: string): Promise<void> {
  const file = join(dataDir, 'flags.json');
  const flags = JSON.parse(await readFile(file, 'utf8')) as { flagValues: Record<string, unknown> };
  flags.flagValues['ai-assistant-enabled'] = true;
  await writeFile(`${file}.chaos`, JSON.stringify(flags, null, 2));
  await rename(`${file}.chaos`, file);
}

/** Reads until `done` holds; the last reading either way. */
async function settle<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  let value = await read();
  while (!done(value) && Date.now() - started < timeoutMs) {
    await sleep(250);
    value = await read();
  }
  return value;
}

interface GroupReading {
  intakeReceived: number;
  incidentReceived: number;
  incidents: number;
}

async function readGroup(url: string, env: Env, group: string): Promise<GroupReading> {
  const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_DEV_SERVER_PORT}` });
  try {
    const tally = await new Client({ connection }).workflow
      .getHandle(alertIntakeWorkflowId(group))
      .query(alertGroupQuery, group)
      .catch(() => undefined);
    const state = tally?.incidentId ? await incident(url, tally.incidentId) : undefined;
    const titled = (await incidentTitles(url)).filter((i) => i.title.includes(`storm of ${group}.`));
    return {
      intakeReceived: tally?.received ?? 0,
      incidentReceived: state?.alerts?.received ?? 0,
      incidents: titled.length,
    };
  } finally {
    await connection.close();
  }
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
        assert.equal(answer.status, 201, JSON.stringify(answer.body));
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
            () => readGroup(url, env, group),
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
