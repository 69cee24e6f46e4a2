// An evidence snapshot before a containment step changes the system (AI Act Art. 73(6)): the state the step
// will change, read from its provider; the runbook's evidence sources; the triage notes. Every item is
// redacted first (the auditor gets what the source returned, without the secrets in it), then hashed; the
// snapshot file holds the items with their content and is stored under its own sha256.
import type { FlagProvider } from '../flags/provider.js';
import type { ModelRegistry } from '../model-registry/provider.js';
import { performHttpRequest, writtenUrl, type HttpRequestOptions, type HttpRequestSpec } from '../http/request.js';
import { redact } from '../redaction/redact.js';
import { redactContent } from './redact-content.js';
import { sha256Hex as sha256 } from './content-address.js';
import type { EvidenceStore } from './store.js';

/** What the step will change, to be read from its provider; `none` for http steps (their sources say it). */
export type EvidenceTarget =
  { type: 'flag'; flagKey: string } | { type: 'model'; model: string; alias: string } | { type: 'none' };

export interface EvidenceSourceSpec {
  id: string;
  title: string;
  request: HttpRequestSpec;
}

export interface SnapshotRequest {
  incidentId: string;
  stepId: string;
  moment: 'requested' | 'before-change';
  target: EvidenceTarget;
  sources: EvidenceSourceSpec[];
  /** The triage notes so far, as the incident has them. */
  triage: { id: string; title: string; done?: { by: string; at: string; note?: string } }[];
}

export interface SnapshotItem {
  name: string;
  kind: 'provider-state' | 'source' | 'triage-notes';
  sha256?: string;
  bytes?: number;
  truncated?: boolean;
  error?: string;
}

export interface SnapshotResult {
  capturedAt: string;
  /** failed: the state the step will change could not be read, or the snapshot could not be stored. */
  status: 'captured' | 'failed';
  sha256?: string;
  location?: string;
  items: SnapshotItem[];
  reason?: string;
}

export interface SnapshotDependencies {
  flags: FlagProvider;
  models: ModelRegistry;
  store: EvidenceStore;
  http?: HttpRequestOptions;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

export async function captureSnapshot(request: SnapshotRequest, deps: SnapshotDependencies): Promise<SnapshotResult> {
  const capturedAt = new Date().toISOString();
  const read = await Promise.all([
    ...(request.target.type === 'none' ? [] : [providerState(request.target, deps)]),
    ...request.sources.map((source) => sourceContent(source, deps.http)),
    Promise.resolve(triageNotes(request.triage)),
  ]);
  const items = read.map(({ content, ...item }) =>
    content === undefined ? item : { ...item, sha256: sha256(content), bytes: Buffer.byteLength(content) },
  );
  const file = Buffer.from(
    json({
      incidentId: request.incidentId,
      stepId: request.stepId,
      moment: request.moment,
      capturedAt,
      redacted: 'every item passed the redactor before it was hashed; content is as stored',
      items: read.map(({ content }, i) => ({ ...items[i], ...(content === undefined ? {} : { content }) })),
    }) + '\n',
  );
  const hash = sha256(file);
  const stateFailed = items.find((item) => item.kind === 'provider-state' && item.error);
  let location: string;
  try {
    ({ location } = await deps.store.put(hash, file));
  } catch (err) {
    return {
      capturedAt,
      status: 'failed',
      items,
      reason: `the snapshot could not be stored: ${redact(messageOf(err))}`,
    };
  }
  return {
    capturedAt,
    status: stateFailed ? 'failed' : 'captured',
    sha256: hash,
    location,
    items,
    ...(stateFailed ? { reason: `${stateFailed.name} could not be read: ${stateFailed.error}` } : {}),
  };
}

type ReadItem = SnapshotItem & { content?: string };

async function providerState(
  target: Exclude<EvidenceTarget, { type: 'none' }>,
  deps: SnapshotDependencies,
): Promise<ReadItem> {
  const name = target.type === 'flag' ? `flag ${target.flagKey}` : `model ${target.model} "${target.alias}"`;
  try {
    const state =
      target.type === 'flag'
        ? await deps.flags.readConfiguration(target.flagKey)
        : await deps.models.readAlias(target.model, target.alias);
    return { name, kind: 'provider-state', content: redactContent(json(state)) };
  } catch (err) {
    return { name, kind: 'provider-state', error: redact(messageOf(err)) };
  }
}

/** A source's answer; its errors name the method, the URL as written (no query) and the status, never a value. */
async function sourceContent(source: EvidenceSourceSpec, http: HttpRequestOptions = {}): Promise<ReadItem> {
  const name = source.id;
  const what = `GET ${writtenUrl(source.request.url)}`;
  try {
    const outcome = await performHttpRequest({ ...source.request, method: 'GET' }, http);
    if (outcome.status < 200 || outcome.status >= 300)
      return { name, kind: 'source', error: `${what} answered ${outcome.status}` };
    return {
      name,
      kind: 'source',
      content: redactContent(outcome.body),
      ...(outcome.truncated ? { truncated: true } : {}),
    };
  } catch (err) {
    return { name, kind: 'source', error: redact(messageOf(err)) };
  }
}

function triageNotes(triage: SnapshotRequest['triage']): ReadItem {
  const notes = triage.map((item) => ({ id: item.id, title: item.title, ...(item.done ? { done: item.done } : {}) }));
  return { name: 'triage-notes', kind: 'triage-notes', content: redactContent(json(notes)) };
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
