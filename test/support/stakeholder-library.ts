// A copy of the runbook library for product tests that deliver to stakeholders: the generic runbook's
// P1 audience, `product-leads`, has the members given, and the directory is the one given.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** A copy of the library (its YAML and schemas) under `dataDir/runbooks`, for a test to edit; returns that folder. */
export async function copyLibrary(dataDir: string): Promise<string> {
  const runbooksDir = join(dataDir, 'runbooks');
  await cp(join(repoRoot, 'runbooks'), runbooksDir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return runbooksDir;
}

/** Writes the library under `dataDir/runbooks` and returns that folder (for RUNBOOKS_DIR). */
export async function libraryWithProductLeads(
  dataDir: string,
  members: string[],
  directoryYaml: string,
): Promise<string> {
  const runbooksDir = await copyLibrary(dataDir);
  const groupsFile = join(runbooksDir, 'groups.yaml');
  await writeFile(
    groupsFile,
    (await readFile(groupsFile, 'utf8')).replace(
      '  incident-admins: [maria]',
      `  incident-admins: [maria]\n  product-leads: [${members.join(', ')}]`,
    ),
  );
  await writeFile(join(runbooksDir, 'directory.yaml'), directoryYaml);
  return runbooksDir;
}
