// The audit export of one incident (issue 21 item 5): the timeline as a hash chain, every decision with
// its actor and identity source, the runbook snapshot and its sha256, evidence hashes, obligations and
// submissions, the postmortem. The JSON is the auditor's; the Markdown (audit-markdown.ts) is for people.
import { redact, redactDeep } from '../../integrations/redaction/redact.js';
import type { RunbookSnapshot } from '../../runbooks/source.js';
import type { IdentitySource, IncidentState, TimelineEntry } from '../../workflows/types.js';
import type { Actor } from '../incident-service.js';
import {
  CANONICAL_FORM,
  CHAIN_ALGORITHM,
  CHAIN_EXAMPLE,
  CHAIN_RULE,
  chain,
  genesisHash,
  sealHash,
  sha256Hex,
} from './audit-chain.js';
import { auditDecisions, type AuditDecision } from './audit-decisions.js';

export const EXPORT_FORMAT = 'incident-audit-export/1';

export const EXPORT_ABOUT =
  "For the auditor: the incident record as the product stores it, its timeline hash-chained (see chain). Secrets never leave the product: the record keeps what people and alerts sent, so every text in this file passed the product's redactor before it was hashed (the redactor is deterministic: exports of the same record chain the same). Who acted (actor, by, commander, owner, ...) is kept as recorded. The Markdown beside this file is for people; this JSON is the evidence.";

/** Who acted: verified ids, not secrets, and what an auditor needs most; every other text is redacted. */
const IDENTITY_FIELDS = new Set([
  'actor',
  'by',
  'commander',
  'declaredBy',
  'completedBy',
  'endedBy',
  'addedBy',
  'owner',
]);

/** The top-level fields the seal binds to the chain's head. */
export const SEALED_FIELDS = [
  'exportedAt',
  'exportedBy',
  'incident',
  'runbook',
  'decisions',
  'evidence',
  'classifications',
  'obligations',
  'postmortem',
] as const;

/** Item 4's evidence snapshots, read defensively: an incident from before them has none. */
export interface EvidenceRecord {
  stepId?: string;
  sha256?: string;
  status?: string;
  [field: string]: unknown;
}

export interface AuditRunbook {
  id?: string;
  title?: string;
  file?: string;
  /** As the incident recorded it at declaration: sha256 of the runbook file. */
  sha256?: string;
  /** The file's text, from the workflow history; sha256(source) must equal sha256. */
  source?: string;
  /** Instead of `source` when the redactor changed the text (it held something that looks like a secret). */
  sourceRedacted?: string;
  sourceSha256?: string;
  /** The definition the workflow ran, as it parsed the file, with the policy and approver groups of that moment. */
  definition?: unknown;
  policy?: unknown;
  groups?: unknown;
  note?: string;
}

export interface ChainedEntry {
  index: number;
  hash: string;
  entry: TimelineEntry;
}

export interface AuditBundle {
  format: typeof EXPORT_FORMAT;
  audience: 'auditor';
  about: string;
  chain: {
    algorithm: typeof CHAIN_ALGORITHM;
    canonicalForm: string;
    rule: string;
    example: string;
    genesis: string;
    entries: number;
    head: string;
    /** Entries are appended; only a repeated refusal updates its entry (count, lastAt). */
    stability: string;
    seal: { covers: readonly string[]; sha256: string };
  };
  exportedAt: string;
  exportedBy: { actor: string; via: IdentitySource };
  incident: Omit<IncidentState, 'timeline' | 'classifications' | 'obligations' | 'postmortem'>;
  runbook: AuditRunbook;
  decisions: AuditDecision[];
  evidence: EvidenceRecord[];
  classifications: NonNullable<IncidentState['classifications']>;
  obligations: NonNullable<IncidentState['obligations']>;
  postmortem: IncidentState['postmortem'] | null;
  timeline: ChainedEntry[];
}

export function auditBundle(
  state: IncidentState,
  snapshot: RunbookSnapshot | undefined,
  exporter: Actor,
  exportedAt: string,
): AuditBundle {
  const { timeline, classifications, obligations, postmortem, ...incident } = redactRecord(state);
  const { evidence: _evidence, ...rest } = incident as typeof incident & { evidence?: unknown };
  const { links, head } = chain(state.id, timeline);
  const sealed = {
    exportedAt,
    exportedBy: { actor: exporter.actor, via: exporter.via ?? 'local' },
    incident: rest,
    runbook: auditRunbook(state, snapshot),
    decisions: auditDecisions(timeline),
    evidence: evidenceOf(incident),
    classifications: classifications ?? [],
    obligations: obligations ?? [],
    postmortem: postmortem ?? null,
  };
  return {
    format: EXPORT_FORMAT,
    audience: 'auditor',
    about: EXPORT_ABOUT,
    chain: {
      algorithm: CHAIN_ALGORITHM,
      canonicalForm: CANONICAL_FORM,
      rule: CHAIN_RULE,
      example: CHAIN_EXAMPLE,
      genesis: genesisHash(state.id),
      entries: links.length,
      head,
      stability:
        'Timeline entries are only appended, except that a repeated refused request updates its own entry (data.count, data.lastAt): a later export extends an earlier one up to the first such entry.',
      seal: { covers: SEALED_FIELDS, sha256: sealHash(head, sealed) },
    },
    ...sealed,
    timeline: links.map((link, index) => ({ index, hash: link.hash, entry: link.entry })),
  };
}

function auditRunbook(state: IncidentState, snapshot: RunbookSnapshot | undefined): AuditRunbook {
  const ref = state.runbook;
  const recorded = ref ? { id: ref.id, title: ref.title, file: ref.file, sha256: ref.hash } : {};
  if (!snapshot) return { ...recorded, note: 'The workflow history holding the runbook snapshot is no longer kept.' };
  const source = snapshot.source === undefined ? undefined : redact(snapshot.source);
  return {
    ...recorded,
    ...(source === undefined
      ? { note: 'Declared before the file text was kept: the definition is the parsed snapshot.' }
      : source === snapshot.source
        ? { source, sourceSha256: sha256Hex(source) }
        : {
            sourceRedacted: source,
            note: 'The file held what the redactor masks, so its text here cannot hash to sha256.',
          }),
    definition: redactDeep(snapshot.runbook),
    ...(snapshot.policy ? { policy: snapshot.policy } : {}),
    groups: snapshot.groups,
  };
}

/** A copy with every string redacted but the identity fields. */
function redactRecord<T>(value: T, key?: string): T {
  if (typeof value === 'string') return (key !== undefined && IDENTITY_FIELDS.has(key) ? value : redact(value)) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactRecord(item)) as T;
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, redactRecord(item, k)])) as T;
  return value;
}

function evidenceOf(state: object): EvidenceRecord[] {
  const evidence = (state as { evidence?: unknown }).evidence;
  if (!Array.isArray(evidence)) return [];
  return evidence.filter((item): item is EvidenceRecord => typeof item === 'object' && item !== null);
}
