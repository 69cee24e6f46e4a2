// `incident export ID [--out DIR]` (the audit record, JSON and Markdown, from the API) and
// `incident verify-export FILE` (its hash chain recomputed from the file alone, no server).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AuditBundle } from '../export/audit-bundle.js';
import { renderAuditMarkdown } from '../export/audit-markdown.js';
import { NotAnExportError, parseExport, verifyExport, type Verification } from '../export/verify-export.js';
import type { ApiClient } from './api-client.js';

type Print = <T>(result: T, text: (r: T) => string) => void;

export async function exportCommand(
  api: ApiClient,
  incidentId: string,
  actor: string | undefined,
  out: string,
  print: Print,
): Promise<number> {
  const query = actor ? `?actor=${encodeURIComponent(actor)}` : '';
  // incidentId comes URL-encoded, as every command passes it.
  const bundle = await api.get<AuditBundle>(`/api/incidents/${incidentId}/export${query}`);
  // The id names the files: only an incident id, whatever the server answered.
  if (!/^INC-[0-9A-Z]{5}$/.test(String(bundle.incident?.id))) throw new Error('the server sent no audit export');
  const dir = resolve(out);
  await mkdir(dir, { recursive: true });
  const files = {
    json: join(dir, `${bundle.incident.id}.export.json`),
    markdown: join(dir, `${bundle.incident.id}.export.md`),
  };
  await writeFile(files.json, `${JSON.stringify(bundle, null, 2)}\n`);
  await writeFile(files.markdown, renderAuditMarkdown(bundle));
  print(
    { ...files, entries: bundle.chain.entries, head: bundle.chain.head },
    (r) =>
      `Wrote ${r.json} (for the auditor) and ${r.markdown} (redacted, for people)\n  ${r.entries} timeline entries, head ${r.head}\n  check: incident verify-export ${r.json}`,
  );
  return 0;
}

/** 0 when the chain holds, 1 naming the first entry that does not, 2 when the file is no export. */
export async function verifyExportCommand(
  file: string,
  print: Print,
  fail: (message: string) => Error,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fail(`cannot read ${file}: ${(err as Error).message}`);
  }
  let verification: Verification;
  try {
    verification = verifyExport(parseExport(text));
  } catch (err) {
    if (err instanceof NotAnExportError) throw fail(`${file} is ${err.message}`);
    throw err;
  }
  print(verification, describe);
  return verification.ok ? 0 : 1;
}

function describe(v: Verification): string {
  if (v.ok) return `OK ${v.incidentId}: ${v.entries} timeline entries, final hash ${v.head}`;
  const entry = v.entry
    ? ` at entry ${v.entry.index}${v.entry.at || v.entry.type ? ` (${[v.entry.at, v.entry.type].filter(Boolean).join(', ')})` : ''}`
    : '';
  return `FAILED ${v.incidentId}${entry}: ${v.problem}`;
}
