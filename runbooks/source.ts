import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  loadRunbookLibrary,
  policyFor,
  selectRunbook,
  UnknownRunbookError,
  type RunbookLibrary,
  type RunbookProblem,
  type RunbookQuery,
} from './library.js';
import type { Policy } from './roles.js';
import type { ApproverGroups, Runbook } from './schema.js';

/** What an incident keeps of its runbook: the definition, the approver groups it names, and its version. */
export interface RunbookSnapshot {
  runbook: Runbook;
  /** The members of every group the runbook and its policy name, as they were at declaration. */
  groups: ApproverGroups;
  /** Who may do what to this incident: policy.yaml with the runbook's differences. Absent in incidents declared before policies. */
  policy?: Policy;
  file: string;
  hash: string;
  /** The file's text (sha256 `hash`), kept in the history for the audit export; absent in incidents declared before it. */
  source?: string;
  /** Problems elsewhere in the library when it was read (this runbook was valid). */
  warnings: string[];
}

export class InvalidRunbooksError extends Error {
  constructor(readonly problems: RunbookProblem[]) {
    super(`Invalid runbooks:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'InvalidRunbooksError';
  }
}

export function formatProblem(problem: RunbookProblem): string {
  return `${problem.file}${problem.path ? `: ${problem.path}` : ''}: ${problem.message}`;
}

/**
 * Reads the runbook directory afresh for every new incident, so edits apply without a redeploy.
 * A file broken after start-up does not stop incidents: the last valid library is used and the
 * problem is reported in the incident's timeline.
 */
export class RunbookSource {
  private lastValid: RunbookLibrary | undefined;
  /** The library as last parsed, and the directory listing (names, sizes, times) it was parsed from. */
  private parsed: { signature: string; library: RunbookLibrary } | undefined;
  /** The last look at the directory (possibly still under way), shared by callers that accept its age. */
  private lastCheck: { at: number; library: Promise<RunbookLibrary> } | undefined;

  constructor(readonly dir: string) {}

  /** The library as of at most `maxAgeMs` ago; concurrent callers share one look at the directory. */
  private load(maxAgeMs = 0): Promise<RunbookLibrary> {
    const now = Date.now();
    if (this.lastCheck && now - this.lastCheck.at <= maxAgeMs) return this.lastCheck.library;
    const library = this.loadIfChanged();
    const check = { at: now, library };
    this.lastCheck = check;
    library.catch(() => {
      if (this.lastCheck === check) this.lastCheck = undefined;
    });
    return library;
  }

  /** Parses the directory again only when a file in it changed: an alert storm must not re-read YAML per alert. */
  private async loadIfChanged(): Promise<RunbookLibrary> {
    const signature = await directorySignature(this.dir);
    if (signature !== undefined && this.parsed?.signature === signature) return this.parsed.library;
    const library = await loadRunbookLibrary(this.dir);
    if (signature !== undefined) this.parsed = { signature, library };
    return library;
  }

  /** For start-up: throws with every problem when the library is not valid. */
  async requireValid(): Promise<RunbookLibrary> {
    const library = await loadRunbookLibrary(this.dir);
    if (library.problems.length) throw new InvalidRunbooksError(library.problems);
    if (!library.runbooks.length)
      throw new InvalidRunbooksError([{ file: this.dir, path: '', message: 'no runbooks found' }]);
    this.lastValid = library;
    return library;
  }

  /** The runbooks a new incident can use now, or as of at most `maxAgeMs` ago when the caller is on a hot path. */
  async current(maxAgeMs = 0): Promise<RunbookLibrary> {
    const fresh = await this.load(maxAgeMs);
    return fresh.problems.length && this.lastValid ? this.lastValid : fresh;
  }

  async snapshot(query: RunbookQuery): Promise<RunbookSnapshot> {
    const fresh = await this.load();
    const library = fresh.problems.length && this.lastValid ? this.lastValid : fresh;
    if (!fresh.problems.length) this.lastValid = fresh;
    const warnings = fresh.problems.map((p) => `${formatProblem(p)} (using the last valid version)`);
    let chosen;
    try {
      chosen = selectRunbook(library, query);
    } catch (err) {
      if (!(err instanceof UnknownRunbookError)) throw err;
      // Checked at declaration; gone since. The incident still gets a runbook, and the timeline says why.
      warnings.push(`${err.message}; chose by category instead`);
      chosen = selectRunbook(library, { ...query, runbookId: undefined });
    }
    const policy = policyFor(library, chosen.runbook);
    const used = new Set(
      JSON.stringify([chosen.runbook, policy])
        .match(/group:[a-z0-9-]+/g)
        ?.map((ref) => ref.slice(6)),
    );
    return {
      runbook: chosen.runbook,
      policy,
      groups: Object.fromEntries(Object.entries(library.groups).filter(([name]) => used.has(name))),
      file: basename(chosen.file),
      hash: chosen.hash,
      source: chosen.source,
      warnings,
    };
  }
}

/** Every entry's name, size and change times; undefined when the directory cannot be read (loading will say why). */
async function directorySignature(dir: string): Promise<string | undefined> {
  try {
    const names = (await readdir(dir)).sort();
    const stats = await Promise.all(names.map(async (name) => [name, await stat(join(dir, name))] as const));
    return stats.map(([name, st]) => `${name}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`).join('|');
  } catch {
    return undefined;
  }
}
