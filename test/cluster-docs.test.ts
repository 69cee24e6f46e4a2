// The README's cluster section against the code: every search attribute the product uses has its
// `temporal operator search-attribute create` line, and the server version named is the one
// scripts/temporal-cluster.mjs installs and the cluster suite tests.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI_TYPE_NAMES } from '../app/temporal/temporal-dev-server.js';
import { incidentSearchAttributes } from '../workflows/search-attributes.js';
import { repoRoot } from './support/paths.js';

const readme = () => readFile(join(repoRoot, 'README.md'), 'utf8');

describe('the README on Temporal clusters', () => {
  it('lists the registration of every search attribute in incidentSearchAttributes', async () => {
    const text = await readme();
    const missing = incidentSearchAttributes
      .map(
        (key) =>
          `temporal operator search-attribute create --namespace default --name ${key.name} --type ${CLI_TYPE_NAMES[key.type]}`,
      )
      .filter((line) => !text.includes(line));
    assert.deepEqual(missing, [], 'add these to the README (`node scripts/temporal-cluster.mjs search-attributes`)');
  });

  it('names the Temporal server version the cluster script installs', async () => {
    const script = await readFile(join(repoRoot, 'scripts', 'cluster-server.mjs'), 'utf8');
    const pinned = /TEMPORAL_VERSION = 'v(\d+\.\d+\.\d+)'/.exec(script)?.[1];
    assert.ok(pinned, 'scripts/cluster-server.mjs pins a version');
    assert.match(await readme(), new RegExp(`Temporal server v${pinned.replaceAll('.', '\\.')}\\*\\*`));
  });
});
