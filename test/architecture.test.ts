// The layers' import rules, checked over the source: each file's import / export-from specifiers (a regex over the
// text, `import type` included) against who may import whom. A broken rule fails naming the file and the import.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './support/paths.js';

export interface ImportRef {
  specifier: string;
  /** `import type`, `export type`, or only `type` specifiers: erased by tsc, so nothing is loaded at run time. */
  typeOnly: boolean;
  line: number;
}

/**
 * Modules in integrations/ that workflows/ may import as values: pure functions and data with no Node or SDK code
 * (the workflow bundle runs them in Temporal's sandbox). Each must itself import only types, or other pure modules.
 */
export const PURE_FOR_WORKFLOWS: ReadonlySet<string> = new Set(['integrations/flags/expectations.ts']);

// `import … from '…'` and `export … from '…'` at the start of a line (so not in `//` or `/**` comments), across lines.
const FROM = /^[ \t]*(import|export)\s+(type\s+)?([\w$*{}\s,]*?)\s*from\s*['"]([^'"]+)['"]/gm;
const SIDE_EFFECT = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

const lineAt = (source: string, index: number) => source.slice(0, index).split('\n').length;

/** The specifiers a source file imports or re-exports, in order of appearance. */
export function importsOf(source: string): ImportRef[] {
  const found: (ImportRef & { index: number })[] = [];
  for (const m of source.matchAll(FROM)) {
    const clause = m[3]!.trim();
    const named = /^\{([\s\S]*)\}$/.exec(clause);
    const allTypeSpecifiers =
      named !== null &&
      named[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .every((s) => /^type\s/.test(s));
    const typeOnly = m[2] !== undefined || allTypeSpecifiers;
    found.push({ specifier: m[4]!, typeOnly, line: lineAt(source, m.index), index: m.index });
  }
  for (const m of source.matchAll(SIDE_EFFECT))
    found.push({ specifier: m[1]!, typeOnly: false, line: lineAt(source, m.index), index: m.index });
  for (const m of source.matchAll(DYNAMIC))
    found.push({ specifier: m[1]!, typeOnly: false, line: lineAt(source, m.index), index: m.index });
  return found
    .sort((a, b) => a.index - b.index)
    .map(({ specifier, typeOnly, line }) => ({ specifier, typeOnly, line }));
}

/** The repository path a relative specifier names (`../a/b.js` from `x/y.ts` → `a/b.ts`); undefined for packages. */
export function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  return posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

const layerOf = (path: string) => (path.startsWith('../') ? undefined : path.split('/')[0]);

/** Why `file` may not import `ref`, or undefined when it may. */
function brokenRule(file: string, ref: ImportRef): string | undefined {
  const target = resolveSpecifier(file, ref.specifier);
  const from = layerOf(file);
  const to = target === undefined ? undefined : layerOf(target);
  if (file === 'runbooks/vocabulary.ts') return 'runbooks/vocabulary.ts imports nothing at all';
  if (to === 'test' && from !== 'test') return 'nothing outside test/ imports from test/';
  if (from === 'integrations' && (to === 'workflows' || to === 'activities' || to === 'app')) {
    return 'integrations/ imports nothing from workflows/, activities/ or app/';
  }
  if (from === 'runbooks' && (to === 'workflows' || to === 'activities' || to === 'app' || to === 'integrations')) {
    return 'runbooks/ imports nothing from workflows/, activities/, app/ or integrations/';
  }
  if (from === 'activities' && to === 'app') return 'activities/ imports nothing from app/';
  if (from === 'workflows') {
    if (to === 'app') return 'workflows/ imports nothing from app/';
    if ((to === 'activities' || to === 'integrations') && !ref.typeOnly && !PURE_FOR_WORKFLOWS.has(target!)) {
      return `workflows/ imports only types from ${to}/ (values would pull Node code into the workflow sandbox), except the pure modules ${[...PURE_FOR_WORKFLOWS].join(', ')}`;
    }
  }
  if (PURE_FOR_WORKFLOWS.has(file) && !ref.typeOnly && (target === undefined || !PURE_FOR_WORKFLOWS.has(target))) {
    return `${file} is imported as a value by workflows/, so it imports only types (or other pure modules)`;
  }
  return undefined;
}

/** Every broken rule among `files` (repository path → source), as `file:line imports 'specifier': rule`. */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, source] of files) {
    for (const ref of importsOf(source)) {
      const rule = brokenRule(file, ref);
      if (rule)
        problems.push(`${file}:${ref.line} imports '${ref.specifier}'${ref.typeOnly ? ' (type only)' : ''}: ${rule}`);
    }
  }
  return problems;
}

const SKIP = new Set(['node_modules', 'dist', '.git', '.temporal-bin', '.mlflow', '.data', 'test-artifacts']);

/** The repository's .ts files (repository path → source). */
export function sourceFiles(root: string, dir = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const [p, s] of sourceFiles(root, path)) files.set(p, s);
    else if (entry.isFile() && entry.name.endsWith('.ts')) files.set(path, readFileSync(join(root, path), 'utf8'));
  }
  return files;
}

describe('architecture: import rules', () => {
  it('reads import and export-from specifiers, type-only or not, across lines', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      'import {',
      '  type C,',
      '  type D,',
      "} from './cd.js';",
      "import e, { type F } from './ef.js';",
      "import * as g from 'node:path';",
      "export { h } from './h.js';",
      "export type { I } from './i.js';",
      "export * from './j.js';",
      "import './side-effect.js';",
      "const k = await import('./k.js');",
      "// import { nope } from './comment.js';",
      ' * import { nope } from "./jsdoc.js";',
    ].join('\n');
    assert.deepEqual(
      importsOf(source).map((r) => `${r.line} ${r.specifier}${r.typeOnly ? ' type' : ''}`),
      [
        '1 ./a.js',
        '2 ../b.js type',
        '3 ./cd.js type',
        '7 ./ef.js',
        '8 node:path',
        '9 ./h.js',
        '10 ./i.js type',
        '11 ./j.js',
        '12 ./side-effect.js',
        '13 ./k.js',
      ],
    );
  });

  it('reports each broken rule, naming the file and the import', () => {
    const files = new Map([
      ['integrations/chat/x.ts', "import { SYSTEM } from '../../workflows/constants.js';"],
      ['integrations/chat/ok.ts', "import type { Severity } from '../../runbooks/vocabulary.js';"],
      ['runbooks/x.ts', "import type { FlagChange } from '../integrations/flags/provider.js';"],
      ['runbooks/vocabulary.ts', "import { z } from 'zod';"],
      [
        'workflows/x.ts',
        "import { proxyActivities } from '@temporalio/workflow';\nimport { createFlagActivities } from '../activities/flags.js';",
      ],
      [
        'workflows/y.ts',
        "import type { IncidentActivities } from '../activities/index.js';\nimport { describeChange } from '../integrations/flags/expectations.js';",
      ],
      ['workflows/z.ts', "import type { Config } from '../app/config.js';"],
      ['activities/x.ts', "export { loadConfig } from '../app/config.js';"],
      ['app/x.ts', "import { repoRoot } from '../test/support/paths.js';"],
      [
        'test/x.test.ts',
        "import { loadConfig } from '../app/config.js';\nimport { repoRoot } from './support/paths.js';",
      ],
      ['integrations/flags/expectations.ts', "import { readFileSync } from 'node:fs';"],
    ]);
    assert.deepEqual(violations(files), [
      "integrations/chat/x.ts:1 imports '../../workflows/constants.js': integrations/ imports nothing from workflows/, activities/ or app/",
      "runbooks/x.ts:1 imports '../integrations/flags/provider.js' (type only): runbooks/ imports nothing from workflows/, activities/, app/ or integrations/",
      "runbooks/vocabulary.ts:1 imports 'zod': runbooks/vocabulary.ts imports nothing at all",
      "workflows/x.ts:2 imports '../activities/flags.js': workflows/ imports only types from activities/ (values would pull Node code into the workflow sandbox), except the pure modules integrations/flags/expectations.ts",
      "workflows/z.ts:1 imports '../app/config.js' (type only): workflows/ imports nothing from app/",
      "activities/x.ts:1 imports '../app/config.js': activities/ imports nothing from app/",
      "app/x.ts:1 imports '../test/support/paths.js': nothing outside test/ imports from test/",
      "integrations/flags/expectations.ts:1 imports 'node:fs': integrations/flags/expectations.ts is imported as a value by workflows/, so it imports only types (or other pure modules)",
    ]);
  });

  it('holds for every .ts file in the repository', () => {
    const files = sourceFiles(repoRoot);
    assert.ok(
      files.has('workflows/corrective-action.ts') && files.has('runbooks/vocabulary.ts') && files.size > 100,
      `found only ${files.size} .ts files under ${repoRoot}`,
    );
    for (const pure of PURE_FOR_WORKFLOWS)
      assert.ok(files.has(pure), `${pure} (allowed for workflows/) does not exist`);
    assert.deepEqual(violations(files), []);
  });
});
