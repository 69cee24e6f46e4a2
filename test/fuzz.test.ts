// Malformed bodies to every POST route of the product as `npm start` runs it (issue 18): no body may
// get a 5xx, and none may start a workflow. `npm test` runs a short form; `npm run test:fuzz` runs
// FUZZ_BODIES per route (default 2,000) and prints the figures. FUZZ_SEED replays a run.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { ALERT_SOURCES, parseAlerts, type AlertSource } from '../integrations/alerts/parse.js';
import { contractRoutes } from '../app/http/contract.js';
import { malformedBodies, seeded } from './support/fuzz-bodies.js';
import { tempDir } from './support/paths.js';
import { freePort } from './support/ports.js';
import { spawnProduct, stopProduct, waitHealthy, type RunningProduct } from './support/product.js';

const BODIES_PER_ROUTE = Number(process.env.FUZZ_BODIES ?? 60);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

let product: RunningProduct;
let temporal: Client;
let connection: Connection;
let incidentId: string;

before(async () => {
  const temporalPort = await freePort();
  product = spawnProduct({
    DATA_DIR: await tempDir('fuzz'),
    PORT: String(await freePort()),
    TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
    TEMPORAL_UI: 'off',
    LOG_LEVEL: 'error',
    GITHUB_WEBHOOK_SECRET: 'github-webhook-secret-0123456789',
    JIRA_WEBHOOK_SECRET: 'jira-webhook-secret-0123456789',
  });
  await waitHealthy(product, 60_000);
  connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  temporal = new Client({ connection });
  const declared = await fetch(`${product.url}/api/incidents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Fuzz target', category: 'prompt-injection', severity: 'P2', declaredBy: 'alice' }),
  });
  incidentId = ((await declared.json()) as { id: string }).id;
});
after(async () => {
  await connection?.close();
  await stopProduct(product);
});

function post(path: string, body: string | Buffer): Promise<number> {
  const url = new URL(path, product.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const workflowCount = async () => (await temporal.workflow.count()).count;

/** Whether a body would be a valid request: those are not malformed, and are not sent. */
function valid(
  path: string,
  body: string | Buffer,
  schema: { safeParse(v: unknown): { success: boolean } } | undefined,
): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    return false;
  }
  const source = /^\/webhooks\/([a-z]+)$/.exec(path)?.[1];
  if (source && (ALERT_SOURCES as readonly string[]).includes(source)) {
    try {
      parseAlerts(source as AlertSource, parsed, new Date().toISOString());
      return true;
    } catch {
      return false;
    }
  }
  return schema?.safeParse(parsed).success ?? false;
}

describe('malformed bodies to every POST route', () => {
  it(`answer 4xx, never 5xx, and start no workflow (${BODIES_PER_ROUTE} bodies a route, seed ${SEED})`, async () => {
    const routes = contractRoutes().filter(
      (route) => route.method === 'POST' && route.path !== '/slack/events' && !route.path.startsWith('/auth/'),
    );
    const paths = routes.flatMap((route) => {
      const concrete = route.path
        .replace(':id', incidentId)
        .replace(':actionId', 'A1')
        .replace(':itemId', 'capture-payload')
        .replace(':tokenId', '0000000000');
      return concrete.includes(':source')
        ? ALERT_SOURCES.map((source) => ({ path: concrete.replace(':source', source), route }))
        : [{ path: concrete, route }];
    });
    await new Promise((r) => setTimeout(r, 1_000)); // the declaration's own workflows (the incident, its digest) settle
    const before = await workflowCount();
    const random = seeded(SEED);
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    let tried = 0;
    let skippedValid = 0;
    for (const { path, route } of paths) {
      for (const body of malformedBodies(random, BODIES_PER_ROUTE)) {
        if (valid(path, body, route.docs.body)) {
          skippedValid++;
          continue;
        }
        const status = await post(path, body);
        tried++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) fiveHundreds.push(`${status} POST ${path} ${body.toString().slice(0, 120)}`);
      }
    }
    await new Promise((r) => setTimeout(r, 1_500)); // visibility catches up
    const wronglyStarted = (await workflowCount()) - before;
    const figures = {
      bodies: tried,
      routes: paths.length,
      skippedValid,
      fiveHundreds: fiveHundreds.length,
      wronglyStarted,
      seed: SEED,
      statuses: Object.fromEntries([...statuses].sort()),
    };
    console.log(`fuzz: ${JSON.stringify(figures)}`);
    assert.deepEqual(fiveHundreds.slice(0, 10), [], 'no 5xx');
    assert.equal(wronglyStarted, 0, 'no workflow started by a malformed body');
    // Lenient schemas (a body of optional fields) take many random objects as valid: those are skipped.
    assert.ok(
      tried >= (paths.length * BODIES_PER_ROUTE) / 2,
      `${tried} bodies sent, ${skippedValid} valid ones skipped`,
    );
    assert.equal((await fetch(`${product.url}/healthz`)).status, 200, 'still healthy');
  });
});
