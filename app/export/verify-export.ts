// `incident verify-export FILE`: recomputes an audit export's hash chain and seal from the file alone
// (no server), and names the first timeline entry that does not match.
import { canonicalJson, chainHash, genesisHash, sealHash, sha256Hex } from './audit-chain.js';
import { EXPORT_FORMAT, SEALED_FIELDS, type AuditBundle } from './audit-bundle.js';
import { auditDecisions } from './audit-decisions.js';

export type Verification =
  | { ok: true; incidentId: string; entries: number; head: string }
  | {
      ok: false;
      incidentId: string;
      problem: string;
      /** The first timeline entry that does not match, when the chain broke there. */
      entry?: { index: number; at?: string; type?: string };
    };

/** The file is no audit export (not JSON, another format, no timeline): exit 2, not 1. */
export class NotAnExportError extends Error {}

export function parseExport(text: string): AuditBundle {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new NotAnExportError(`not JSON (${(err as Error).message})`);
  }
  const bundle = parsed as Partial<AuditBundle> | null;
  if (typeof bundle !== 'object' || bundle === null || bundle.format !== EXPORT_FORMAT)
    throw new NotAnExportError(`not an incident audit export: "format" must be "${EXPORT_FORMAT}"`);
  if (typeof bundle.incident?.id !== 'string') throw new NotAnExportError('an audit export names its incident.id');
  if (!Array.isArray(bundle.timeline)) throw new NotAnExportError('an audit export has a timeline array');
  if (typeof bundle.chain?.head !== 'string' || typeof bundle.chain.seal?.sha256 !== 'string')
    throw new NotAnExportError('an audit export has chain.head and chain.seal.sha256');
  return bundle as AuditBundle;
}

export function verifyExport(bundle: AuditBundle): Verification {
  const incidentId = bundle.incident.id;
  const fail = (problem: string, entry?: Extract<Verification, { ok: false }>['entry']): Verification => ({
    ok: false,
    incidentId,
    problem,
    ...(entry ? { entry } : {}),
  });
  let previous = genesisHash(incidentId);
  for (const [index, link] of bundle.timeline.entries()) {
    const entry = link?.entry as { at?: unknown; type?: unknown } | undefined;
    const where = {
      index,
      ...(typeof entry?.at === 'string' ? { at: entry.at } : {}),
      ...(typeof entry?.type === 'string' ? { type: entry.type } : {}),
    };
    if (link?.index !== index) return fail(`timeline[${index}] says it is entry ${String(link?.index)}`, where);
    const hash = chainHash(previous, link.entry);
    if (hash !== link.hash)
      return fail(
        `timeline[${index}] does not match its hash (recomputed ${hash}, recorded ${String(link.hash)})`,
        where,
      );
    previous = hash;
  }
  if (bundle.chain.entries !== bundle.timeline.length)
    return fail(`chain.entries says ${bundle.chain.entries} but the timeline holds ${bundle.timeline.length}`);
  if (previous !== bundle.chain.head) return fail(`chain.head ${bundle.chain.head} is not the last hash ${previous}`);

  const covered = Object.fromEntries(SEALED_FIELDS.map((field) => [field, bundle[field]]));
  if (sealHash(previous, covered) !== bundle.chain.seal.sha256)
    return fail(`the seal does not match: one of ${SEALED_FIELDS.join(', ')} was changed`);
  const derived = auditDecisions(bundle.timeline.map((link) => link.entry));
  if (canonicalJson(derived) !== canonicalJson(bundle.decisions))
    return fail('decisions are not those the timeline records');
  const { source, sha256 } = bundle.runbook ?? {};
  if (source !== undefined && sha256Hex(source) !== sha256)
    return fail(`runbook.source does not hash to the runbook's sha256 ${String(sha256)}`);
  return { ok: true, incidentId, entries: bundle.timeline.length, head: previous };
}
