// The real Temporal cluster scripts/temporal-cluster.mjs starts (server v1.32, PostgreSQL, SQL visibility), as
// the cluster tests see it: its state file, whether the suite can run, and a fresh namespace per run so that
// incidents of earlier runs on the same cluster never show up in a list or a KPI.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import {
  ensureNamespace,
  ensureSearchAttributes,
  waitForSearchAttributes,
} from '../../app/temporal/namespace-setup.js';
import { repoRoot } from './paths.js';

export interface ClusterState {
  address: string;
  namespace: string;
  version: string;
  persistence: string;
  visibility: string;
  searchAttributes: string[];
  serverLog: string;
  pid?: number;
}

export const clusterStateFile = join(repoRoot, '.temporal-cluster', 'state.json');

export function clusterState(): ClusterState | undefined {
  return existsSync(clusterStateFile)
    ? (JSON.parse(readFileSync(clusterStateFile, 'utf8')) as ClusterState)
    : undefined;
}

/** False when the suite can run; otherwise why it is skipped. Under CI=true a missing cluster fails instead. */
export function clusterSkip(): false | string {
  const state = clusterState();
  if (state?.pid && existsSync(`/proc/${state.pid}`)) return false;
  const missing = state
    ? `the Temporal cluster of ${clusterStateFile} is not running (pid ${state.pid}): run \`npm run setup:cluster\``
    : `no Temporal cluster (${clusterStateFile} is missing): run \`npm run setup:cluster\` (CI does)`;
  if (process.env.CI === 'true') throw new Error(`${missing}; CI must run the cluster tests`);
  return missing;
}

/** A namespace of its own for this run, with the product's search attributes, ready for workflows. */
export async function freshNamespace(cluster: ClusterState, prefix: string): Promise<string> {
  const namespace = `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const connection = await Connection.connect({ address: cluster.address });
  try {
    await ensureNamespace(connection, namespace, 1);
    await ensureSearchAttributes(connection, namespace);
    await waitForSearchAttributes(connection, namespace);
  } finally {
    await connection.close();
  }
  return namespace;
}

/** Deletes a namespace made for a run (the server removes its workflows in the background). */
export async function dropNamespace(cluster: ClusterState, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address: cluster.address });
  try {
    await connection.operatorService.deleteNamespace({ namespace });
  } finally {
    await connection.close();
  }
}
